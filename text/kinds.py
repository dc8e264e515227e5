"""The kinds of reply Dafu holds, and how a reply names its kind: in its title, or in whom it greets."""

from __future__ import annotations

import re

KINDS = ("代表建议", "政协提案", "群众留言")
# "关于区七届人大三次会议第20240088号建议的主办意见", "对市政协第123号提案的答复", "对网友留言的回复".
_BY_TITLE = (
    ("政协提案", re.compile(r"提案")),
    ("代表建议", re.compile(r"建议")),
    ("群众留言", re.compile(r"留言|来信|来电|信访")),
)
# "尊敬的丁长义代表：", "李明委员：", "网友“UU0082053”您好！", "您的留言已收悉".
_BY_GREETING = (
    ("代表建议", re.compile(r"代表[：:，,]")),
    ("政协提案", re.compile(r"委员[：:，,]")),
    ("群众留言", re.compile(r"网友|网民|来信人|市民|群众|“[A-Z]{2}\d+”|^[A-Z]{2}\d+|您好|你好|您的留言|您的来信|您反映")),
)
# What the writer of each kind is called in a reply's greeting, and what they wrote.
SALUTATIONS = {
    "代表建议": "尊敬的【代表姓名】代表：",
    "政协提案": "尊敬的【委员姓名】委员：",
    "群众留言": "【网友昵称】网友：您好！",
}
WRITINGS = {"代表建议": "建议", "政协提案": "提案", "群众留言": "留言"}
# How far into the first paragraph after the title a greeting stands.
_GREETING_CHARS = 30


def unknown_kind(kind: str, blank: str) -> str:
    """What is wrong with a kind someone named, in Chinese, with what leaving it blank does; empty for a kind of KINDS
    or none."""
    if not kind or kind in KINDS:
        return ""
    return f"类型“{kind}”无法识别：应为 {'、'.join(KINDS)} 之一，或留空{blank}。"


def kind_of(title: str, opening: str) -> str:
    """The kind a reply names in its title, else in the greeting that opens its text; a 建议 or 提案 mentioned further on
    in the body says nothing of what the reply answers."""
    for kind, pattern in _BY_TITLE:
        if pattern.search(title):
            return kind
    greeting = opening[:_GREETING_CHARS]
    return next((kind for kind, pattern in _BY_GREETING if pattern.search(greeting)), "")
