"""Normalise raw reply text: width, spacing, and lines broken inside a sentence."""

from __future__ import annotations

import re
import unicodedata

from text.dates import DATE_LINE
from text.headings import numbered
from text.sentences import ends_sentence

# Chinese punctuation stays full-width; digits, Latin letters and symbols become half-width.
_KEEP_FULL_WIDTH = set("，。、；：！？（）【】《》“”‘’…—～·「」『』")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}，。、；：！？（）“”])[ \t]+|[ \t]+(?=[{_CJK}，。、；：！？（）“”])")
# A line shorter than this that ends without punctuation is a title, signature or heading, not a broken sentence.
_MIN_BROKEN_LINE = 45


def to_half_width(text: str) -> str:
    """Full-width digits, letters and symbols to half-width; Chinese punctuation kept."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\u3000":
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULL_WIDTH:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def normalize_line(line: str) -> str:
    """One line: Unicode composed, half-width, no spaces around Chinese characters."""
    line = unicodedata.normalize("NFC", line).replace("\xa0", " ")
    line = to_half_width(line)
    line = _SPACE_NEXT_TO_CJK.sub("", line)
    return re.sub(r"[ \t]{2,}", " ", line).strip()


def wrap_width(lines: list[str]) -> int:
    """The width text was hard-wrapped at (PDF exports, fixed-width files), or 0 when lines are whole paragraphs."""
    lengths = sorted(len(x) for x in lines if len(x) >= 10)
    if len(lengths) < 8:
        return 0
    p90 = lengths[int(len(lengths) * 0.9) - 1]
    # Wrapped text has many lines within a few characters of the widest.
    near_full = sum(1 for n in lengths if n >= p90 * 0.85)
    return p90 if near_full >= len(lengths) * 0.4 else 0


def _continues(line: str, following: str, width: int) -> bool:
    """True when `line` was cut inside a sentence that `following` goes on with."""
    if not line or not following or ends_sentence(line) or line.endswith("："):
        return False
    if numbered(following) or DATE_LINE.match(following) or following.startswith(("（联系", "(联系", "尊敬的")):
        return False
    if numbered(line) and len(line) < _MIN_BROKEN_LINE:
        return False
    wrapped = width > 0 and len(line) >= width * 0.85
    prose = "，" in line  # titles, signatures and headings carry no comma; a sentence cut short does
    return line.endswith(("，", "、", "“", "（", "—")) or len(line) >= _MIN_BROKEN_LINE or wrapped or prose


def repair_lines(text: str) -> str:
    """Join lines split by page breaks or hard wraps; keep real paragraph breaks."""
    lines = [normalize_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")]
    width = wrap_width(lines)
    paragraphs: list[str] = []
    for line in lines:
        if not line:
            continue
        if paragraphs and _continues(paragraphs[-1], line, width):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def normalize_text(text: str) -> str:
    """The normalised document text that chunks and citations point into."""
    return repair_lines(text.lstrip("\ufeff"))
