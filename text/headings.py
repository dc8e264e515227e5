"""Numbered headings of the genre: 第一部分, 一、, （一）, 1. / （1） / 第一条, outermost first."""

from __future__ import annotations

import re

LEVELS = (
    re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章节部分]"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^（[一二三四五六七八九十]+）"),
    re.compile(r"^(\d+(?:、|[．.](?!\d))|（\d+）|第[一二三四五六七八九十百零〇\d]+条)"),
)
# Point numbers no clause starts with by chance: "一是", "第一，".
_SAID_NUMBERS = r"[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]"
# Points a paragraph counts off inline: "一是……；二是……", "第一，……", "一、……", "（一）……", "（1）……", "1.……", "①……".
ENUMERATOR = re.compile(
    r"(?:^|(?<=[。；;：:！？\s]))"
    rf"(?:{_SAID_NUMBERS}|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|[①-⑳](?!号))"
)
# A suggestion pasted as one paragraph counts off between commas too ("一是挖掘…，二是规范…，三是增设…"), with those.
ENUMERATOR_AFTER_COMMA = re.compile(rf"(?:^|(?<=[。；;：:！？\s，,]))(?:{_SAID_NUMBERS})")
# A sentence that opens a list ("须符合以下条件：", "措施如下"); a reply's own opening ("现答复如下：") opens the reply.
_OPENS_LIST = re.compile(r"[：:]|如下|以下")
_OPENS_REPLY = re.compile(r"(?:答复|回复|汇报|报告|反馈)如下")
# A numbered line longer than this is a numbered paragraph, not a heading.
MAX_HEADING_CHARS = 60


def numbered(line: str) -> bool:
    """The line starts with a heading number, whatever follows it."""
    return any(level.match(line) for level in LEVELS)


def counts_off(sentence: str) -> bool:
    """The sentence is a counted-off point: it starts with a point's number."""
    return ENUMERATOR.match(sentence.lstrip()) is not None


def opens_points(sentence: str) -> bool:
    """The sentence leads into a list ("须符合以下条件：一是…", "措施如下"); a reply's own opening ("现答复如下：") leads
    into the reply, not a list."""
    return bool(_OPENS_LIST.search(sentence)) and not _OPENS_REPLY.search(sentence)


def heading_level(paragraph: str) -> int | None:
    """0-based depth of a heading line, or None for body text (a heading is short and ends no sentence)."""
    if len(paragraph) > MAX_HEADING_CHARS or paragraph.endswith(("。", "；")):
        return None
    return next((depth for depth, level in enumerate(LEVELS) if level.match(paragraph)), None)
