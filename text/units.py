"""The units two Chinese texts are compared by: characters (whole words for Latin and digits) and adjacent pairs."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from text.markers import strip_markers
from text.normalize import normalize_line

_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+")


@lru_cache(maxsize=4096)  # the check reads each passage's sentences again for every claim
def units(text: str) -> frozenset[str]:
    """Characters (words for Latin and digits) and adjacent pairs of them."""
    singles = _CJK_OR_WORD.findall(normalize_line(strip_markers(text)))
    return frozenset(singles) | {a + b for a, b in itertools.pairwise(singles)}
