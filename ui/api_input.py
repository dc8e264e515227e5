"""What an API call passes, checked before any work is done, with the limits the app's own boxes set: a missing
argument, a wrong type, a text too long, an unknown kind, an impossible year, k out of range or a history of the wrong
shape is a gr.Error naming the parameter and what is wrong, in Chinese (a gr.Error reaches the caller even with
show_error off; anything else reaches it as {"error": null})."""

from __future__ import annotations

import gradio as gr

from index.filters import Filters
from text.kinds import unknown_kind
from text.suggestions import MAX_CHARS
from ui.chat import FILTER_CHARS, MAX_PASTE_CHARS, filters_from
from ui.precedents import FOUND

# More turns than this is no conversation a person had: a follow-up needs only the last few.
MAX_TURNS = 50
# What a JSON value is called, for saying what came instead; bool before int, which it is a kind of.
_JSON_NAMES = ((bool, "真假值"), (int, "数字"), (float, "数字"), (str, "文字"), (dict, "对象"))


def question_arguments(
    question: object, history: object, years: object, kind: object, office: object
) -> tuple[str, list[tuple[str, str]], Filters | None]:
    """/ask and /ask_stream: the question, the conversation as (question, answer) pairs, and the filters."""
    return _text("question", question, "问题", MAX_PASTE_CHARS), _history(history), _filters(years, kind, office)


def search_arguments(query: object, k: object, years: object, kind: object, office: object) -> tuple[str, int, Filters | None]:
    """/search_precedents: the query (a few words or a whole suggestion, as the 查找先例 box takes), k and the filters."""
    return _text("query", query, "查找内容", MAX_CHARS), _count(k), _filters(years, kind, office)


def draft_arguments(suggestion: object, office: object, kind: object) -> tuple[str, str, str]:
    """/draft: the suggestion, the office that signs and the kind (blank: read from the suggestion)."""
    suggestion = _text("suggestion", suggestion, "建议内容", MAX_CHARS)
    office = _text("office", office, "承办单位", FILTER_CHARS, required=False)
    return suggestion, office, _kind(kind, "按内容判断")


def _wrong(name: str, problem: str) -> gr.Error:
    """The caller's mistake, said to the caller; no traceback in the log for it."""
    return gr.Error(f"参数 {name}：{problem.rstrip('。')}。", title="参数有误", print_exception=False)


def _shown(value: object) -> str:
    if value is None:
        return "空值（null）"
    if isinstance(value, list):
        return f"含 {len(value)} 项的列表"
    return next((name for kind, name in _JSON_NAMES if isinstance(value, kind)), type(value).__name__)


def _text(name: str, value: object, label: str, limit: int, required: bool = True) -> str:
    """A text argument within the limit; an optional one may be left out (None), a required one may not be blank."""
    if value is None and not required:
        return ""
    if value is None:
        raise _wrong(name, f"缺少{label}")
    if not isinstance(value, str):
        raise _wrong(name, f"{label}应为文字，收到的是{_shown(value)}")
    if len(value) > limit:
        raise _wrong(name, f"{label}超过 {limit} 字（收到 {len(value)} 字），请缩短后再试")
    if required and not value.strip():
        raise _wrong(name, f"{label}为空")
    return value


def _count(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise _wrong("k", f"返回件数应为整数，收到的是{_shown(k)}")
    if not 1 <= k <= FOUND:
        raise _wrong("k", f"返回件数应在 1 至 {FOUND} 之间，收到的是 {k}")
    return k


def _history(history: object) -> list[tuple[str, str]]:
    """[[question, answer], …] as pairs; each text no longer than a question may be."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise _wrong("history", f"对话记录应为 [[问题, 回答], …] 形式的列表，收到的是{_shown(history)}")
    if len(history) > MAX_TURNS:
        raise _wrong("history", f"对话记录超过 {MAX_TURNS} 轮（收到 {len(history)} 轮），只需传最近几轮")
    for n, turn in enumerate(history, 1):
        if not (isinstance(turn, list) and len(turn) == 2 and all(isinstance(text, str) for text in turn)):
            raise _wrong("history", f"对话记录第 {n} 项应为 [问题, 回答] 两段文字，收到的是{_shown(turn)}")
        if max(len(text) for text in turn) > MAX_PASTE_CHARS:
            raise _wrong("history", f"对话记录第 {n} 项超过 {MAX_PASTE_CHARS} 字")
    return [(question, answer) for question, answer in history]


def _kind(kind: object, blank: str) -> str:
    kind = _text("kind", kind, "类型", FILTER_CHARS, required=False)
    if problem := unknown_kind(kind, blank):
        raise _wrong("kind", problem)
    return kind


def _filters(years: object, kind: object, office: object) -> Filters | None:
    """The filters of 筛选; a year range it cannot read, or an impossible year, is said as the 筛选 box says it."""
    years = _text("years", years, "年份", FILTER_CHARS, required=False)
    kind = _kind(kind, "不限类型")
    office = _text("office", office, "答复单位", FILTER_CHARS, required=False)
    try:
        return filters_from(years, kind, office)
    except ValueError as error:  # the years are all filters_from reads that can be wrong
        raise _wrong("years", str(error)) from None
