"""Why the rules do not find a claim supported, named fact by fact in plain Chinese: the figure, office, mood or
negation that failed, or the clause the passage does not speak of."""

from __future__ import annotations

import re

from answer.support import MIN_CLAUSE_OVERLAP, Support, quoted_names
from text.normalize import normalize_line
from text.numbers import NUMBER, arabic, fact, numbers, stated

_DATE = re.compile(r"\d(?:年|月|日)")


def reason(result: Support, claim: str, passage: str) -> str:
    """The failed facts of result, joined with "；" ("金额 50万元 不在资料中"); "" when the rules find it supported."""
    if result.supported:
        return ""
    parts = []
    if result.negation_flip:
        parts.append("否定相反：资料与陈述一肯一否")
    if result.overstated:
        parts.append("资料说的是计划或正在做，陈述说已完成")
    given, quoted = numbers(passage), quoted_names(claim)
    for missing in result.missing_facts:
        if missing in result.wrong_actor:
            parts.append(f"资料中做这件事的是{'、'.join(result.passage_actors)}，不是{missing}")
        elif missing in quoted:
            parts.append(f"“{missing}” 不在资料中")
        elif re.search(r"\d|类$", missing):
            where = "在资料中说的是别的事项" if stated(missing, given) else "不在资料中"
            parts.append(f"{_kind(missing)} {_as_written(missing, claim)} {where}")
        else:
            parts.append(f"单位或名称 {missing} 不在资料中")
    if parts:
        return "；".join(parts)
    if result.weakest_clause < MIN_CLAUSE_OVERLAP and result.weakest_text:
        return f"资料未提及“{result.weakest_text.strip()}”"
    return f"陈述的措辞大多不在资料中，重合 {result.overlap:.0%}"  # no brackets: the app and the Word file bracket it


def _kind(figure: str) -> str:
    if figure.endswith("类"):
        return "等级"
    if _DATE.search(figure):
        return "日期"
    return "金额" if "元" in figure else "数字"


def _as_written(figure: str, claim: str) -> str:
    """The figure as the claim writes it ("50万元"), not as the value compared ("500000元")."""
    return next((m.group(0) for m in NUMBER.finditer(arabic(normalize_line(claim))) if fact(m) == figure), figure)
