"""The kinds of reply Dafu holds, and the words by which a reply's opening names its kind."""

from __future__ import annotations

KINDS = ("代表建议", "政协提案", "群众留言")
_WORDS = {"政协提案": ("提案", "政协"), "代表建议": ("建议", "人大"), "群众留言": ("留言", "来信")}


def kind_named_in(head: str) -> str:
    """The kind whose word comes first in the head of a reply: a message's reply may go on to mention a 建议."""
    found = {kind: min((i for w in words if (i := head.find(w)) >= 0), default=-1) for kind, words in _WORDS.items()}
    named = {kind: i for kind, i in found.items() if i >= 0}
    return min(named, key=named.get) if named else ""
