"""Does a passage support a claim? Shared facts (numbers, dates) must appear, and the wording must overlap."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from index.chunker import sentence_spans
from index.normalize import normalize_line

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
# Openers that point at the passages rather than state anything ("根据资料，").
_LEAD_IN = re.compile(r"(?:根据|依据|按照)(?:以上|上述|所给|提供的)?(?:资料|答复|材料)(?:\[\d+\])?(?:显示|所述)?[，,:：]\s*")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+")
# Share of a claim's own characters and character pairs that must occur in a passage for it to count as support.
MIN_OVERLAP = 0.55


@dataclass(frozen=True)
class Support:
    """How a passage stands to a claim."""

    overlap: float  # share of the claim's own words (characters and pairs) found in the passage
    missing_facts: tuple[str, ...]  # numbers of the claim the passage lacks

    @property
    def supported(self) -> bool:
        return not self.missing_facts and self.overlap >= MIN_OVERLAP


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def facts(text: str) -> set[str]:
    """Numbers, amounts, percentages and dates written in the claim, commas removed."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(normalize_line(strip_markers(text)))}


def units(text: str) -> set[str]:
    """Characters (words for Latin and digits) and adjacent pairs of them."""
    singles = _CJK_OR_WORD.findall(normalize_line(strip_markers(text)))
    return set(singles) | {a + b for a, b in itertools.pairwise(singles)}


def support(claim: str, passage: str, question: str = "") -> Support:
    """The overlap and missing facts of claim against passage; words the claim repeats from the question are free."""
    own = units(claim) - units(question)
    passage_text = normalize_line(passage).replace(",", "")
    overlap = len(own & units(passage)) / len(own) if own else 0.0
    missing = tuple(sorted(f for f in facts(claim) if f not in passage_text))
    return Support(overlap, missing)


def supporting_span(claim: str, passage: str) -> tuple[int, int]:
    """Offsets in passage of the sentence(s) that best support claim: the best sentence, widened to hold its facts."""
    spans = sentence_spans(passage)
    if not spans:
        return 0, len(passage)
    scored = [(support(claim, passage[s:e]).overlap, s, e) for s, e in spans]
    _, start, end = max(scored)
    for fact in facts(claim):
        position = passage.replace(",", "").find(fact)
        for s, e in spans:
            if position >= 0 and s <= position < e:
                start, end = min(start, s), max(end, e)
    return start, end


def claims(answer: str) -> list[str]:
    """The answer's sentences, split deterministically on 。！？； and line breaks, markers kept."""
    text = _LEAD_IN.sub("", re.sub(r"^\s*(?:[-*•]|\d+[.、)])\s*", "", answer, flags=re.M))
    parts = re.findall(r"[^。！？；!?\n]+(?:[。！？；!?]+(?:\s*\[\d{1,3}\])*)?", text)
    return [p.strip() for p in parts if strip_markers(p).strip(" ，,。")]


def markers(sentence: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(sentence)]
