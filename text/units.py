"""The units two Chinese texts are compared by: characters (whole words for Latin and digits) and adjacent pairs."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from text.markers import strip_markers
from text.normalize import normalize_line
from text.numbers import chinese_units

_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+")


def _singles(text: str) -> list[str]:
    return _CJK_OR_WORD.findall(chinese_units(normalize_line(strip_markers(text))))


@lru_cache(maxsize=4096)  # the check reads each passage's sentences again for every claim
def units(text: str) -> frozenset[str]:
    """Characters (words for Latin and digits) and adjacent pairs of them."""
    singles = _singles(text)
    return frozenset(singles) | {a + b for a, b in itertools.pairwise(singles)}


@lru_cache(maxsize=4096)
def own_units(text: str, given: str) -> frozenset[str]:
    """The units of text that given does not supply: its characters not in given, and the pairs of them; a pair joining
    a given character to a new one ("是50" of "补贴标准是50%" after "补贴标准是多少") belongs to neither."""
    free = units(given)
    singles = _singles(text)
    pairs = {a + b for a, b in itertools.pairwise(singles) if a not in free and b not in free}
    return frozenset(s for s in singles if s not in free) | frozenset(p for p in pairs if p not in free)
