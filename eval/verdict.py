"""The rules' three-way verdict on a claim and a passage, for scoring answers and verifiers."""

from __future__ import annotations

import re
from collections.abc import Callable

from answer.support import MIN_OVERLAP, Support, support
from text.numbers import numbers, stated, unit

_FIGURE = re.compile(r"\d|类$")  # a missing fact that is a figure, date or grade rather than a name


def misstates(result: Support) -> bool:
    """A figure, date or grade the passage does not give, a flipped negation or a plan said done: the checks that hold
    however the claim is worded (names, read by pattern, can catch a reworded phrase such as "施工公司")."""
    return result.negation_flip or result.overstated or any(_FIGURE.search(f) for f in result.missing_facts)


def verdict(claim: str, passage: str, question: str = "", paraphrase: Callable[[str, str], bool] | None = None) -> str:
    """Three-way label: "supported" (also when only the wording differs and paraphrase says it is the same);
    "contradicted" when the claim speaks of the passage's subject with another figure, name or polarity; else
    "unsupported"."""
    result = support(claim, passage, question)
    if result.supported or (result.reworded and paraphrase is not None and paraphrase(claim, passage)):
        return "supported"
    on_topic = result.overlap >= MIN_OVERLAP
    passage_numbers = numbers(passage)
    other_figure = any(
        not stated(n, passage_numbers) and unit(n) and any(unit(p) == unit(n) for p in passage_numbers) for n in numbers(claim)
    )
    if result.negation_flip or (on_topic and (other_figure or result.missing_facts)):
        return "contradicted"
    return "unsupported"
