"""Claim verifiers: does a passage support a claim? A local deterministic one (default) and an LLM judge."""

from __future__ import annotations

from typing import Protocol

from answer.llm import ChatModel
from answer.paraphrase import ParaphraseCheck
from answer.prompts import render
from answer.support import verdict

LABELS = ("supported", "unsupported", "contradicted")
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

    def label(self, claim: str, passage: str, question: str = "") -> str:
        """The judge is not shown the question: it weighs the whole claim, the stricter reading."""
        reply = "".join(
            self.llm.stream([{"role": "user", "content": render("judge", claim=claim, passage=passage)}], max_tokens=8)
        )
        found = [(reply.find(word), label) for word, label in _JUDGE_WORDS.items() if word in reply]
        return min(found)[1] if found else "unsupported"  # an unreadable verdict counts against the claim
