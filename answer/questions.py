"""What kind of question was asked: one that stands alone or a follow-up, one that asks for earlier replies."""

from __future__ import annotations

import re

from text.places import places, without_places, without_years, years_named
from text.sentences import without_terminal

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
_ASKS_FOR_LIST = re.compile(r"哪些|哪几|有什么|什么措施|几个方面|哪方面|列出|列举|条件|要求|内容|做了什么|做法|举措|主要")
# Where a question asking two things splits into its parts ("补助标准是多少？什么时候开始施行？").
_PART_END = re.compile(r"(?<=[？?；;])")
_MIN_PART_CHARS = 4


def parts_of(question: str) -> list[str]:
    """The questions a question asks, each on its own; one part for a question that asks one thing."""
    parts = [p.strip() for p in _PART_END.split(question) if len(p.strip(" ？?；;，,")) >= _MIN_PART_CHARS]
    return parts if len(parts) > 1 else [question]


def asks_for_list(question: str) -> bool:
    """The answer is a list: conditions, measures, materials, the ways something was done."""
    return _ASKS_FOR_LIST.search(question) is not None


def context_budget(question: str, base: int, list_budget: int) -> int:
    """How many characters of the passages the prompt shows: more for a list or for a question of several parts."""
    parts = len(parts_of(question))
    wanted = list_budget if asks_for_list(question) else base
    return min(max(wanted, base * parts), 2 * list_budget)


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
