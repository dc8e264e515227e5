"""Claim verifiers: does a passage support a claim? The answer check's rules alone, an LLM judge alone (zero-shot or
with labelled examples), the rules for facts with a judge for wording, or a learned combination (eval/learned.py).
Each gives a Verdict: a label and the reason for it."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Protocol

from answer.llm import ChatModel, Message
from answer.paraphrase import ParaphraseCheck
from answer.prompts import render, template
from answer.reasons import reason
from answer.support import Support, support, verdict
from eval.judge_cache import JudgeCache

LABELS = ("supported", "unsupported", "contradicted")
_FIGURE = re.compile(r"\d|类$")  # a missing fact that is a figure, date or grade rather than a name
_JUDGE_WORDS = {"支持": "supported", "矛盾": "contradicted", "未提及": "unsupported"}


@dataclass(frozen=True)
class Verdict:
    label: str  # one of LABELS
    reason: str = ""  # the fact that failed, in plain words; "" for a supported claim
    probabilities: dict[str, float] = field(default_factory=dict)  # the judge's, over LABELS, when it was asked


class Verifier(Protocol):
    name: str

    def judge(self, claim: str, passage: str, question: str = "") -> Verdict:
        """The label and its reason; words the claim repeats from the question need no support."""
        ...

    def label(self, claim: str, passage: str, question: str = "") -> str: ...


class LocalVerifier:
    """Numbers, dates, names, polarity and mood must agree, and the wording must overlap or, where it overlaps less,
    mean the same to the embedder: deterministic and offline."""

    name = "local"

    def __init__(self, paraphrase: ParaphraseCheck | None = None) -> None:
        self.paraphrase = paraphrase

    def judge(self, claim: str, passage: str, question: str = "") -> Verdict:
        label = verdict(claim, passage, question, self.paraphrase)
        return Verdict(label, "" if label == "supported" else rules_reason(claim, passage, question))

    def label(self, claim: str, passage: str, question: str = "") -> str:
        return self.judge(claim, passage, question).label


def rules_reason(claim: str, passage: str, question: str = "") -> str:
    return reason(support(claim, passage, question), claim, passage) or "措辞与资料相差较多，嵌入相似度也不够"


class LLMJudge:
    """A strict three-way label from any configured chat model: the instructions of prompts/judge.txt, with the
    labelled examples of prompts/judge_examples.txt first when `examples` (a system message that stays byte-identical,
    so llama.cpp evaluates it once and reuses it), then the question if any, the passage and the claim. The label is
    the likeliest of 支持/矛盾/未提及 as the reply's first token."""

    def __init__(self, llm: ChatModel, name: str = "llm", examples: bool = False, cache: JudgeCache | None = None) -> None:
        self.llm = llm
        self.name = name
        self.examples = examples
        self.cache = cache
        self.seconds = 0.0  # the model's time for every pair asked, as measured when the pair was first asked
        self.live_seconds = 0.0  # the part of it spent now, not read from the cache
        self._asked: dict[str, dict] = {}  # scoring asks again of the passages an answer cites

    def messages(self, claim: str, passage: str, question: str = "") -> list[Message]:
        pair = (render("judge_question", question=question) + "\n" if question else "") + render(
            "judge_pair", claim=claim, passage=passage
        )
        if self.examples:
            return [
                {"role": "system", "content": template("judge") + "\n\n" + template("judge_examples")},
                {"role": "user", "content": pair},
            ]
        return [{"role": "user", "content": template("judge") + "\n\n" + pair}]

    def probabilities(self, claim: str, passage: str, question: str = "") -> dict[str, float]:
        """The judge's probability of each label, its first-token probabilities of 支持/矛盾/未提及 made to sum to 1."""
        messages = self.messages(claim, passage, question)
        key = JudgeCache.key(messages)
        known = self._asked.get(key) or (self.cache.get(key) if self.cache else None)
        if known is None:
            start = time.perf_counter()
            probabilities = self._ask(messages)
            took = time.perf_counter() - start
            self.live_seconds += took
            if self.cache:
                self.cache.put(key, probabilities, took)
            known = {"p": probabilities, "s": took}
        self._asked[key] = known
        self.seconds += known["s"]
        return known["p"]

    def _ask(self, messages: list[Message]) -> dict[str, float]:
        logprobs = (
            self.llm.first_token_logprobs(messages, list(_JUDGE_WORDS)) if hasattr(self.llm, "first_token_logprobs") else None
        )
        if logprobs is None:  # a backend without log-probabilities: the word it writes first, for sure
            reply = "".join(self.llm.stream(messages, max_tokens=8))
            found = [(reply.find(word), label) for word, label in _JUDGE_WORDS.items() if word in reply]
            said = min(found)[1] if found else "unsupported"  # unreadable counts against
            return {label: float(label == said) for label in LABELS}
        top = max(logprobs.values())
        weights = {_JUDGE_WORDS[w]: math.exp(lp - top) for w, lp in logprobs.items()}
        total = sum(weights.values())
        return {label: round(weights[label] / total, 6) for label in LABELS}

    def judge(self, claim: str, passage: str, question: str = "") -> Verdict:
        probabilities = self.probabilities(claim, passage, question)
        label = max(LABELS, key=lambda x: probabilities[x])
        word = next(w for w, x in _JUDGE_WORDS.items() if x == label)
        return Verdict(label, "" if label == "supported" else f"判断模型：{word}（{probabilities[label]:.2f}）", probabilities)

    def label(self, claim: str, passage: str, question: str = "") -> str:
        return self.judge(claim, passage, question).label


def misstates(result: Support) -> bool:
    """A figure, date or grade the passage does not give, a flipped negation or a plan said done: the checks that hold
    however the claim is worded (names, read by pattern, can catch a reworded phrase such as "施工公司")."""
    return result.negation_flip or result.overstated or any(_FIGURE.search(f) for f in result.missing_facts)


# A claim sharing less of its wording with the passage is not about it: the judge is not asked.
_JUDGED_OVERLAP = 0.3


class RuledJudge:
    """The rules decide what they read reliably, a figure, date, negation or plan the passage does not bear out; the
    LLM judge decides the rest, paraphrases, added clauses and names."""

    def __init__(self, judge: LLMJudge, name: str = "rules+llm") -> None:
        self.judge_model = judge
        self.name = name

    def judge(self, claim: str, passage: str, question: str = "") -> Verdict:
        result = support(claim, passage, question)
        if misstates(result) or result.overlap < _JUDGED_OVERLAP:
            label = verdict(claim, passage, question)
            return Verdict(label, "" if label == "supported" else rules_reason(claim, passage, question))
        return self.judge_model.judge(claim, passage, question)

    def label(self, claim: str, passage: str, question: str = "") -> str:
        return self.judge(claim, passage, question).label
