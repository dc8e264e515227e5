"""The claims of an answer: its sentences, and the clauses of a sentence that say something of their own."""

from __future__ import annotations

import re

from text.markers import strip_markers
from text.numbers import numbers
from text.sentences import CLAUSE_BREAK, CLOSERS, TERMINALS, ends_sentence, without_terminal
from text.units import units

# Openers that point at the passages rather than state anything ("根据资料，").
_LEAD_IN = re.compile(r"(?:根据|依据|按照)(?:以上|上述|所给|提供的)?(?:资料|答复|材料)(?:\[\d+\])?(?:显示|所述)?[，,:：]\s*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.、)])\s*", re.M)
# Markdown emphasis the model adds ("**依法取得许可**") is layout, not text.
_EMPHASIS = re.compile(r"\*\*|__|`")
_CLAIM = re.compile(rf"[^{TERMINALS}\n]+(?:[{TERMINALS}]+[{CLOSERS}]*(?:\s*\[\d{{1,3}}\])*)?")
# An item number ("3. ") is layout, not a stated figure.
_ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.、)](?!\d)|[（(]\d{1,2}[）)])\s*")
# A claim with fewer own characters than this, and no figure of its own, only restates the question.
_MIN_OWN_UNITS = 4


def claims(answer: str) -> list[str]:
    """The answer's sentences, split deterministically on 。！？； and line breaks, markers kept."""
    text = _LEAD_IN.sub("", _BULLET.sub("", _EMPHASIS.sub("", answer)))
    parts = [_ITEM_NUMBER.sub("", p) for p in _CLAIM.findall(text)]
    return [p.strip() for p in parts if strip_markers(p).strip(" ，,。")]


def complete_claims(reply: str) -> list[str]:
    """The reply's sentences, without a last one cut off by the token limit."""
    sentences = claims(reply)
    if len(sentences) > 1 and not ends_sentence(strip_markers(sentences[-1])):
        sentences.pop()
    return sentences


def restates(sentence: str, question: str) -> bool:
    """The sentence adds fewer own characters than a claim needs, and no figure: it only restates the question."""
    return len(units(sentence) - units(question)) < _MIN_OWN_UNITS and not numbers(sentence) - numbers(question)


def own_clauses(sentence: str, question: str = "") -> list[str]:
    """The sentence's clauses that say something of their own, each of which some passage must support when no one
    passage supports the whole ("平台接入386个泊位，老旧社区划了1100个泊位" from two replies)."""
    return [c for c in CLAUSE_BREAK.split(without_terminal(strip_markers(sentence))) if not restates(c, question)]


def with_markers(sentence: str, ns: list[int]) -> str:
    """The markers [n] before the sentence's closing punctuation, as Chinese citations are written."""
    body = without_terminal(sentence)
    return body + "".join(f"[{n}]" for n in ns) + sentence[len(body) :]
