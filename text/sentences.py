"""Where Chinese sentences and clauses end."""

from __future__ import annotations

import re

# Marks that end a sentence, and the closing quotes and brackets that stay with the sentence they close.
TERMINALS = "。！？；!?"
CLOSERS = "”’」』）)"
SENTENCE = re.compile(rf"[^{TERMINALS}\n]*(?:[{TERMINALS}]+[{CLOSERS}]*|$)", re.M)
# A sentence that opens by pointing back at the one before ("上述补贴政策目前仍在有效期内", "该项目…"): it finishes it.
POINTS_BACK = re.compile(r"^(?:上述|以上|前述|该|此|这|其中|对此|为此|同时)")
# The clauses of a sentence, each of which can be held to a passage on its own.
CLAUSE_BREAK = re.compile(r"[，,；;]")
# Finer pieces of a sentence, for measuring how well each part of it is covered.
PHRASE_BREAK = re.compile(r"[，,、：:（）()]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence in text[start:end], offsets into text; a paragraph end ends one too."""
    end = len(text) if end is None else end
    spans = []
    for match in SENTENCE.finditer(text, start, end):
        s, e = match.span()
        while s < e and text[s].isspace():
            s += 1
        if s < e:
            spans.append((s, e))
    return spans


def ends_sentence(text: str) -> bool:
    """The text ends as a whole sentence does, not cut off in the middle (… counts: an ellipsis closes a list)."""
    return text.rstrip().endswith(tuple(TERMINALS + CLOSERS + "…"))


def ends_statement(text: str) -> bool:
    """The paragraph ends as a statement or a lead-in does ("如下："), which a title never does; a title may end in a
    bracket ("（第2024001号）"), so closers do not count here."""
    return text.endswith(tuple(TERMINALS + "：:"))


def without_terminal(sentence: str) -> str:
    """The sentence without its closing marks, so that markers can go before them."""
    return sentence.rstrip(TERMINALS)
