"""Claim verifiers: does a passage support a claim? The answer check's rules alone, an LLM judge alone, or the rules
for facts with the judge for wording (the default)."""

from __future__ import annotations

import re
from typing import Protocol

from answer.llm import ChatModel
from answer.paraphrase import ParaphraseCheck
from answer.prompts import render
from answer.support import Support, support, verdict

LABELS = ("supported", "unsupported", "contradicted")
_FIGURE = re.compile(r"\d|类$")  # a missing fact that is a figure, date or grade rather than a name
_JUDGE_WORDS = {"支持": "supported", "矛盾": "contradicted", "未提及": "unsupported"}


class Verifier(Protocol):
    name: str

    def label(self, claim: str, passage: str, question: str = "") -> str:
        """One of LABELS; words the claim repeats from the question need no support."""
        ...


class LocalVerifier:
    """Numbers, dates, names, polarity and mood must agree, and the wording must overlap or, where it overlaps less,
    mean the same to the embedder: deterministic and offline."""

    name = "local"

    def __init__(self, paraphrase: ParaphraseCheck | None = None) -> None:
        self.paraphrase = paraphrase

    def label(self, claim: str, passage: str, question: str = "") -> str:
        return verdict(claim, passage, question, self.paraphrase)


class LLMJudge:
    """A strict three-way label from any configured chat model, with the prompt in prompts/judge.txt."""

    def __init__(self, llm: ChatModel, name: str = "llm") -> None:
        self.llm = llm
        self.name = name
        self._labels: dict[tuple[str, str], str] = {}  # scoring asks again of the passages an answer cites

    def label(self, claim: str, passage: str, question: str = "") -> str:
        """The judge is not shown the question: it weighs the whole claim, the stricter reading."""
        if (claim, passage) not in self._labels:
            prompt = render("judge", claim=claim, passage=passage)
            reply = "".join(self.llm.stream([{"role": "user", "content": prompt}], max_tokens=8))
            found = [(reply.find(word), label) for word, label in _JUDGE_WORDS.items() if word in reply]
            self._labels[claim, passage] = min(found)[1] if found else "unsupported"  # unreadable counts against
        return self._labels[claim, passage]


def misstates(result: Support) -> bool:
    """A figure, date or grade the passage does not give, a flipped negation or a plan said done: the checks that hold
    however the claim is worded (names, read by pattern, can catch a reworded phrase such as "施工公司")."""
    return result.negation_flip or result.overstated or any(_FIGURE.search(f) for f in result.missing_facts)


# A claim sharing less of its wording with the passage is not about it: the judge is not asked.
_JUDGED_OVERLAP = 0.3


class RuledJudge:
    """The rules decide what they read reliably, a figure, date, negation or plan the passage does not bear out; the
    LLM judge decides the rest, paraphrases, added clauses and names. Above either alone on five of the six labelled
    sets (python -m eval verifier; the figures are in the README)."""

    name = "rules+llm"

    def __init__(self, judge: LLMJudge) -> None:
        self.judge = judge

    def label(self, claim: str, passage: str, question: str = "") -> str:
        result = support(claim, passage, question)
        if misstates(result) or result.overlap < _JUDGED_OVERLAP:
            return verdict(claim, passage, question)
        return self.judge.label(claim, passage)
