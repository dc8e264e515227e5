"""A new suggestion, proposal or message as a reply must answer it: its title, its kind and the points it raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from text.formulas import is_courtesy
from text.headings import ENUMERATOR, ENUMERATOR_AFTER_COMMA, LEVELS, numbered
from text.kinds import KINDS, kind_of, unknown_kind
from text.normalize import normalize_line
from text.sentences import CLAUSE_BREAK, ends_statement, sentence_spans

# Where the suggestions proper begin, after the background: "建议如下：", "二、几点建议", "为此，建议：", "建议：".
_SUGGESTIONS_BEGIN = re.compile(
    r"建议如下|如下建议|以下建议|几点建议|具体建议|对策建议|^[一二三四五六七八九十]+、.{0,6}建议|为此.{0,6}建议|^建议[：:]"
)
# What leads in to a point and is no part of it: "建议：", "为此，建议", "希望".
_LEAD_IN = re.compile(r"^(?:[为因]此|特)?[，,]?(?:建议|希望|呼吁)(?:如下)?[：:，,]\s*")
# A sentence that asks for something, when the points are not numbered.
ASKS = re.compile(r"建议|希望|呼吁|请求|恳请|应当|应该|尽快|加快|加大|完善|加强")
# A sentence of a citizen's message that asks a question: "请问…", "是否…", "为什么…", "…吗？", "怎么办".
QUESTION = re.compile(
    r"[？?]|请问|是否|能否|可否|能不能|可不可以|有没有|是不是|为什么|为何|为啥|怎么|怎样|如何|什么时候|多少|哪些|哪个|哪里|何时"
)
# A sentence of a citizen's message that asks for something: its own requests, not the measures a suggestion names
# (应当, 尽快, 加强…), which in a message mostly tell what happened ("本应该是一项民生工程").
REQUESTS = re.compile(r"建议|希望|呼吁|请求|恳请|要求|盼望|请(?!问)")
# The words by which a message's title or ask says it asks, not what about: "咨询…的问题", "投诉…", "请问…".
ASKING_WORDS = re.compile(r"咨询|投诉|反映|举报|请求|恳请|要求|希望|建议|请问|关于|的问题|问题|情况")
# Whom a message asks, which names nothing it asks about: "请求领导及早解决", "希望政府相关职能部门为我们解决问题".
ADDRESSEES = re.compile(r"政府|领导|部门|职能部门|有关部门|相关部门|书记|市长|县长|区长|局长")
# A message asks for this much, at most: more are the same asks said again.
MAX_ASKS = 6
_TITLE = re.compile(r"^关于.{2,80}(?:建议|提案|留言|意见|反映|问题)$")
# A title's frame around its subject: "关于…的建议".
_ABOUT = re.compile(r"^关于(.{2,80}?)的(?:建议|提案|意见)$")
# A title pasted on one line with the text it heads: "关于加强老旧小区停车管理的建议：一是…".
_TITLE_AND_TEXT = re.compile(r"^(关于.{2,80}?(?:建议|提案|意见))[：:]\s*(\S.*)$")
# A line that only greets: "尊敬的领导：", "市长您好！".
_GREETING = re.compile(r"^(?:尊敬的.{0,20}|.{0,12}(?:您好|你好))[：:，,！!。]?$")
# A numbered line this short that leads in to the suggestions is their heading, not one of them.
_HEADING_CHARS = 12
# The last clause or sentence of a point, with the mark before it.
_LAST_CLAUSE = re.compile(r"(?:^|[，,。！？；!?])([^，,。！？；!?]+)[，,。！？；!?]*$")
# A point's label is its first clause, so long.
_LABEL_CHARS = 40
# Longer than this, a pasted text is not one suggestion.
MAX_CHARS = 20_000


class BadSuggestion(ValueError):
    """Input that is not a suggestion a reply can be drafted for; the message says what is wrong, in Chinese."""


@dataclass(frozen=True)
class Point:
    """One thing the suggestion asks for: a short label for the heading, and its whole text (without its number or
    lead-in) for the search."""

    label: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    title: str
    kind: str
    points: list[Point]
    text: str


def read_suggestion(text: str, kind: str = "") -> Suggestion:
    """The suggestion's title (its first line, when that is one), its kind (as given, else as its title names it, else a
    message when untitled) and its points: numbered paragraphs of the suggestions part, points counted off inline, else
    the sentences that ask; the whole text as one point when nothing else is found."""
    if problem := unknown_kind(kind, "按内容判断"):
        raise BadSuggestion(problem)
    if len(text) > MAX_CHARS:
        raise BadSuggestion(f"建议内容超过 {MAX_CHARS} 字：请只粘贴一件建议、提案或留言。")
    lines = [line for line in (normalize_line(raw) for raw in text.splitlines()) if line and not _GREETING.match(line)]
    if not lines:
        raise BadSuggestion("建议内容为空：请粘贴建议、提案或留言的全文，或上传 TXT、DOCX、PDF 文件。")
    if fused := _TITLE_AND_TEXT.match(lines[0]):
        lines[:1] = [fused.group(1), fused.group(2)]
    first = lines[0]
    title = first if len(lines) > 1 and (_TITLE.match(first) or (not ends_statement(first) and len(first) <= 60)) else ""
    body = lines[1:] if title else lines
    # Untitled, and naming no kind: a citizen's message; a deputy or a member titles what they submit.
    named = title or (first if _TITLE.match(first) else "")  # a title alone ("关于…的建议") still names the kind
    kind = kind or kind_of(named, " ".join(body)[:30]) or (KINDS[0] if named else KINDS[2])
    part = _suggestions_part(body)
    points = _numbered_points(part) or _inline_points(part) or _asking_sentences(part, 1 if part is not body else 2)
    points = points or [" ".join(body)]
    bare = [b for b in (_bare(p) for p in points) if b] or [" ".join(body)]
    return Suggestion(title, kind, [Point(_label(b), b) for b in bare], "\n".join(lines))


def _suggestions_part(body: list[str]) -> list[str]:
    """The lines from where the suggestions begin (the whole body when it does not say)."""
    start = next((i for i, line in enumerate(body) if _SUGGESTIONS_BEGIN.search(line)), None)
    return body if start is None else body[start:]


def _numbered_points(part: list[str]) -> list[str]:
    """Numbered paragraphs at the outermost level numbered there, each with the unnumbered paragraphs after it; a short
    numbered heading that leads in ("二、几点建议") is not one of them."""
    if part and _SUGGESTIONS_BEGIN.search(part[0]) and (not numbered(part[0]) or len(part[0]) <= _HEADING_CHARS):
        part = part[1:]
    level = next((depth for depth, pattern in enumerate(LEVELS) if any(pattern.match(line) for line in part)), None)
    if level is None:
        return []
    points: list[str] = []
    for line in part:
        if LEVELS[level].match(line):
            points.append(line)
        elif points:
            points[-1] += line
    return points if len(points) > 1 else []


def _inline_points(part: list[str]) -> list[str]:
    """Points counted off inside a paragraph: "建议：一是……；二是……", "建议如下：一、……。二、……", "一是……，二是……"."""
    text = " ".join(part)
    starts = [m.start() for m in ENUMERATOR.finditer(text)]
    if len(starts) < 2:
        starts = [m.start() for m in ENUMERATOR_AFTER_COMMA.finditer(text)]
    if len(starts) < 2:
        return []
    return [text[s:e].strip(" ；;。") for s, e in zip(starts, [*starts[1:], len(text)], strict=True)]


def _asking_sentences(part: list[str], least: int) -> list[str]:
    """Without numbers, each sentence that asks for something is a point (at least `least` of them, else none)."""
    text = " ".join(part)
    asking = [text[s:e].strip() for s, e in sentence_spans(text) if ASKS.search(text[s:e]) and not is_courtesy(text[s:e])]
    return asking if len(asking) >= least else []


def _bare(point: str) -> str:
    """The point without its number or lead-in ("1.", "一是", "建议："), nor a closing courtesy after it."""
    bare = ENUMERATOR.sub("", point, count=1)
    for level in LEVELS:
        bare = level.sub("", bare, count=1)
    bare = _LEAD_IN.sub("", bare.strip())
    while (tail := _LAST_CLAUSE.search(bare)) and is_courtesy(tail.group(1)):  # "…，谢谢！", "…。恳请领导重视。"
        bare = bare[: tail.start()]
    return bare.strip()


def _label(bare: str) -> str:
    """The bare point to its first full stop or colon, cut short."""
    bare = _ABOUT.sub(r"\1", bare)  # a title made the point: "关于加强停车管理的建议" is about 加强停车管理
    first = re.split(r"[。；：:！？]", bare, maxsplit=1)[0]
    if len(first) > _LABEL_CHARS:  # cut at the last clause that fits, not inside a word
        first = first[: _LABEL_CHARS + 1].rsplit("，", 1)[0] if "，" in first[:_LABEL_CHARS] else first[:_LABEL_CHARS]
    return first.strip("，, ")


def message_asks(title: str, message: str) -> list[str]:
    """What a citizen's message asks of the reply: its numbered points, else its sentences that ask a question or for
    something (courtesies left out), else its title, which says what it is about ("咨询…", "请求…")."""
    lines = [line for line in (normalize_line(raw) for raw in message.splitlines()) if line and not _GREETING.match(line)]
    points = _numbered_points(lines) or _inline_points(lines)
    if not points:
        text = " ".join(lines)
        sentences = (text[s:e] for s, e in sentence_spans(text))
        points = [_from_asking_clause(s) for s in sentences if (QUESTION.search(s) or REQUESTS.search(s)) and not is_courtesy(s)]
    asks = [bare for bare in dict.fromkeys(_bare(p) for p in points) if bare]
    return asks[:MAX_ASKS] or [title.strip() or " ".join(lines)]


def _from_asking_clause(sentence: str) -> str:
    """The sentence from the clause that asks, without the background before it ("我老婆办理的是居民医保，…，这种特殊情况能
    报销吗？" asks "这种特殊情况能报销吗？")."""
    first = min(m.start() for pattern in (QUESTION, REQUESTS) if (m := pattern.search(sentence)))
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(sentence, 0, first)]
    return sentence[breaks[-1] if breaks else 0 :].strip()
