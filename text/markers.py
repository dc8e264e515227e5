"""Citation markers as answers write them: [1], [2] after the sentence they support."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d{1,3})\]")


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def markers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites, in the order it cites them."""
    return [int(n) for n in MARKER.findall(sentence)]
