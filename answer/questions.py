"""A question read once into the shape everything downstream takes: what is searched, what it asks for (a figure, a
date, a list, an office, a yes or no, earlier replies, or a fact), its parts, and whether it follows up an earlier one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from answer.prompts import render
from text.places import places, without_places, without_years, years_named
from text.sentences import without_terminal

# What a question asks for.
FACT, FIGURE, DATE, LIST, OFFICE, YES_NO, PRECEDENT = "fact", "figure", "date", "list", "office", "yes/no", "precedent"
KINDS = (FACT, FIGURE, DATE, LIST, OFFICE, YES_NO, PRECEDENT)
# How much of each earlier question a joined follow-up carries: a pasted essay must not overflow the model's context.
HISTORY_CHARS = 200

# Words by which a follow-up leans on what was said before ("那资金方面呢？", "其中哪些…", "这个是谁负责的？").
_LEANS_ON_CONTEXT = re.compile(
    r"^(?:那|那么|还有|另外|此外|其中|其他|它|他们|她们|它们|该|此|这|上述|以上|前面|刚才)|这个|那个|这些|那些|这项|该项|上述|其中|呢[？?]?$|它们|他们"
)
# A question this short says too little to search on its own.
_MIN_STANDALONE_CHARS = 8
# A member of staff asking for earlier replies, not for a fact in them.
_ASKS_FOR_REPLIES = re.compile(
    r"(?:以前|之前|过去|历年|往年|曾经|有没有|是否有|哪些|列出|列举|找|查).{0,30}(?:答复|回复|复函|建议|提案|留言)"
    r"|(?:答复|回复)(?:过|有)(?:哪些|没有|吗)"
)
_ABOUT = (
    re.compile(
        r"(?:关于|(?<!没)有关|涉及|提到|提及)(?:了|过)?(.{2,40}?)(?:的|方面的)?(?:历年|以前|之前)?(?:答复|回复|复函|建议|提案|留言)"
    ),
    re.compile(r"(?:答复|回复)中?(?:提到|提及|涉及|说到)(?:了|过)?(.{2,40}?)[？?。]?$"),
)


# A question whose answer is a list: it needs more of a section than a single figure does.
_ASKS_FOR_LIST = re.compile(
    r"哪些|哪几|有什么|什么措施|几个方面|哪方面|列出|列举|条件|要求|内容|做了什么|做法|举措|主要|\bwhat (?:measures|steps)\b",
    re.I,
)
_ASKS_YES_NO = re.compile(
    r"是否|是不是|能否|能不能|可否|可不可以|会不会|有没有|有无|吗[？?]?\s*$|^(?:is|are|does|do|did|can|will|has|have|was|were)\b",
    re.I,
)
_ASKS_OFFICE = re.compile(
    r"哪个(?:部门|单位|机构|科室|局)|哪些(?:部门|单位)|哪家|由谁|谁(?:来)?(?:负责|管|办|处理|承办)|找谁|向谁|找哪|"
    r"哪里(?:办|申请|咨询|反映)|\b(?:which (?:department|office|agency|authority)|who)\b",
    re.I,
)
_ASKS_DATE = re.compile(
    r"什么时候|何时|哪一?年|几月|哪天|哪一天|多久|多长时间|啥时候|几时|几点|时间|日期|期限|截止|\b(?:when|how long)\b", re.I
)
_ASKS_FIGURE = re.compile(
    r"多少|几(?:个|家|项|次|处|名|所|条|户|辆|套|座|人|元|万|成|倍|年|天|公里|米|层)|标准|金额|比例|费用|价格|面积|数量|"
    r"多大|多高|多宽|多长|多远|多重|\bhow (?:much|many)\b",
    re.I,
)
# A figure question on money ("补贴多少钱", "收费标准") is answered by a sum, unless it asks for a count, a share or
# a score ("免费住几天", "缴费年限满多少年", "补贴比例是多少", "评价得分").
_ASKS_MONEY = re.compile(
    r"钱|(?:几|多少)元|金额|费用|收费|价格|价钱|票价|单价|电价|水价|房价|补贴|补助|奖励|奖补|投资|资金|工资|津贴|罚款|罚金|薪"
)
_ASKS_NO_SUM = re.compile(
    r"(?:几|多少)(?:[个天年月周人户家次台辆米岁所项处名倍层栋套条笔亩座吨间张位份批分]|公里|平方|小时|分钟)"
    r"|比例|占比|比率|率|涨幅|增幅|降幅|百分|得分"
)
# A date question answered only by a date or year (or an hour): when something happens, not how long it takes.
_ASKS_CALENDAR = re.compile(r"哪一?年|何时|什么时候|啥时候|哪一?天|几月|几号(?![线楼])|日期|\bwhen\b", re.I)
MONEY, POINT_IN_TIME = "元", "date"
# In order: a question that asks for earlier replies, or a yes or no, is that whatever else it names.
_KIND_RULES = (
    (PRECEDENT, _ASKS_FOR_REPLIES),
    (YES_NO, _ASKS_YES_NO),
    (OFFICE, _ASKS_OFFICE),
    (LIST, _ASKS_FOR_LIST),
    (DATE, _ASKS_DATE),
    (FIGURE, _ASKS_FIGURE),
)


@dataclass(frozen=True)
class Question:
    """A question as it is searched, answered and checked."""

    asked: str  # the words the user wrote
    text: str  # what is searched, answered and checked: a follow-up joined to the question it leans on
    kind: str  # what it asks for: one of KINDS
    parts: tuple[str, ...]  # each question it asks, on its own; one for a question that asks one thing
    follow_up: bool = False
    measure: str = ""  # what its answer must state: MONEY, POINT_IN_TIME, or anything ("")

    @property
    def subject(self) -> str:
        """What a question for earlier replies is about."""
        return subject_of(self.text)

    def budget(self, base: int, list_budget: int) -> int:
        """How many characters of the passages the prompt shows: more for a list or for a question of several parts."""
        wanted = list_budget if self.kind == LIST else base
        return min(max(wanted, base * len(self.parts)), 2 * list_budget)


def read_question(asked: str, history: list[tuple[str, str]] | None = None) -> Question:
    """The question in its shape: a follow-up ("那资金方面呢？") joined to what it leans on, without a model turn."""
    asked = asked.strip()
    if history and not stands_alone(asked):
        return shaped(joined(asked, history), asked, follow_up=True)
    return shaped(asked, asked)


def shaped(text: str, asked: str, follow_up: bool = False) -> Question:
    """The shape of a question to search as text: a follow-up asks for what its own words ask ("那申请条件呢？" a list),
    else for what the question it leans on asked ("那A7区呢？" after "…补贴多少？" a figure)."""
    kind, source = kind_of(asked), asked
    if follow_up and kind == FACT:
        kind, source = kind_of(text), text
    return Question(asked, text, kind, tuple(parts_of(text)), follow_up, measure_of(kind, source))


def kind_of(question: str) -> str:
    return next((kind for kind, rule in _KIND_RULES if rule.search(question)), FACT)


def measure_of(kind: str, question: str) -> str:
    """What a figure or date question's answer must state: a sum of money, or a point in time; "" when a figure of any
    unit or a span of time may answer it, or when it asks both how much and when ("补贴多少钱，什么时候发放？")."""
    if kind == FIGURE and _ASKS_MONEY.search(question) and not _ASKS_NO_SUM.search(question):
        return "" if _ASKS_CALENDAR.search(question) else MONEY
    if kind == DATE and _ASKS_CALENDAR.search(question):
        return "" if _ASKS_FIGURE.search(question) else POINT_IN_TIME
    return ""


def joined(follow_up: str, history: list[tuple[str, str]]) -> str:
    """The follow-up after what it leans on, as one question to search, answer and check (prompts/follow_up.txt);
    one question, not two parts: the follow-up alone is no search."""
    return render("follow_up", previous=leaned_on(follow_up, history)[:HISTORY_CHARS], question=follow_up)


# Where a question asking two things splits into its parts ("补助标准是多少？什么时候开始施行？").
_PART_END = re.compile(r"(?<=[？?；;])")
_MIN_PART_CHARS = 4


def parts_of(question: str) -> list[str]:
    """The questions a question asks, each on its own; one part for a question that asks one thing."""
    parts = [p.strip() for p in _PART_END.split(question) if len(p.strip(" ？?；;，,")) >= _MIN_PART_CHARS]
    return parts if len(parts) > 1 else [question]


def stands_alone(question: str) -> bool:
    """The question can be searched without the conversation before it."""
    return len(question) >= _MIN_STANDALONE_CHARS and not _LEANS_ON_CONTEXT.search(question)


def leaned_on(follow_up: str, history: list[tuple[str, str]]) -> str:
    """What a follow-up leans on: the conversation's last question that stood alone (a chain of "那…呢？" leans on the
    question before them all; the first question leans on nothing), or the subject of one that asked for earlier
    replies; without the places and years the follow-up replaces with its own ("那A7区呢？", "2024年呢？")."""
    earlier = next((q for q, _ in reversed(history) if stands_alone(q)), history[0][0])
    if asks_for_replies(earlier):
        earlier = subject_of(earlier)
    if places(follow_up):
        earlier = without_places(earlier)
    if years_named(follow_up):
        earlier = without_years(earlier)
    return without_terminal(earlier.strip())


def asks_for_replies(question: str) -> bool:
    """The question asks which replies exist on a subject ("以前有没有关于加装电梯补贴的答复？"), not what they say."""
    return bool(_ASKS_FOR_REPLIES.search(question))


def subject_of(question: str) -> str:
    """What a question for earlier replies is about ("加装电梯补贴"), or the whole question when it does not say."""
    found = next((m for pattern in _ABOUT if (m := pattern.search(question))), None)
    return found.group(1) if found else question
