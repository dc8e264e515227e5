"""How well a reply answers the citizen's message (or the suggestion) it replies to, read from the two texts alone: does
it speak to the message's subject, which of its asks does it answer, is it only set phrases, how long did it take,
what does it promise next. Lexical: a reply answers an ask when its sentences of substance hold enough of the ask's
own words, weighted by their rarity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache

import jieba.analyse

from index.keywords import covered, naming_words, term_weights
from text.dates import DEADLINE, parsed_date
from text.formulas import defers, is_framing, without_formula
from text.plans import CONDITION, PLAN
from text.sentences import CLAUSE_BREAK, sentence_spans, without_terminal
from text.suggestions import ADDRESSEES, ASKING_WORDS, message_asks

# A reply speaks to the message's subject when its sentences of substance hold this share of the title's words.
RELEVANT_SHARE = 0.2
# It answers an ask when they hold this share of the ask's words: low, as a reply answers in words of its own.
ADDRESSED_SHARE = 0.1
YES, PARTLY, NO = "yes", "partly", "no"


@dataclass(frozen=True)
class Ask:
    """One question or request of the message, and the reply's sentence that answers it ("" when none does)."""

    text: str
    addressed: bool
    evidence: str


@dataclass(frozen=True)
class Commitment:
    """What the reply promises to do next, as it says it, and by when ("2020年6月底前", "年内"; "" when it does not say)."""

    text: str
    date: str


@dataclass(frozen=True)
class Quality:
    relevance: float
    relevant: bool
    asks: list[Ask]
    complete: str  # YES: every ask addressed, PARTLY: some, NO: none
    formula: bool  # the reply says nothing of substance
    formula_sentence: str  # its set-phrase sentence that shows it, when formula
    days: int | None  # from the message's date to the reply's
    commitments: list[Commitment]

    def to_dict(self) -> dict:
        return asdict(self)


def reply_quality(
    title: str, message: str, reply: str, asked: str = "", replied: str = "", idf: Callable[[str], float] | None = None
) -> Quality:
    """The reply's quality against the message: title and text of the message, the reply, their ISO dates ("2019-04-25"
    or ""); idf weighs words by rarity (a document-frequency table's, else jieba's general one)."""
    idf = idf or general_idf
    sentences = [reply[s:e].strip() for s, e in sentence_spans(reply)]
    substance = [s for s in sentences if says_something(s, title, message)]
    said = "\n".join(substance)
    subject = term_weights(ASKING_WORDS.sub(" ", title or message), idf)
    relevance = round(covered(subject, said), 3)
    asks = [_answered(text, subject, substance, idf) for text in message_asks(title, message)]
    answered = sum(ask.addressed for ask in asks)
    # A reply that speaks to the subject in substance answers something of it, in whatever words.
    answered_some = answered > 0 or (bool(substance) and relevance >= RELEVANT_SHARE)
    return Quality(
        relevance=relevance,
        relevant=relevance >= RELEVANT_SHARE,
        asks=asks,
        complete=YES if answered == len(asks) else PARTLY if answered_some else NO,
        formula=not substance,
        formula_sentence="" if substance else _key_set_phrase(sentences),
        days=days_between(asked, replied),
        commitments=[c for c in (_commitment(s) for s in substance) if c],
    )


def says_something(sentence: str, title: str, message: str) -> bool:
    """The sentence is no set phrase, nor set phrases around the message's own words ("你反映的A市有哪些心理咨询机构的
    问题，我们已收到，这不属于民政业务"): it tells the citizen something."""
    if is_framing(sentence, title) or defers(sentence):
        return False
    rest = without_formula(sentence)
    return rest is None or any(word not in message and word not in title for word in naming_words(rest))


def _answered(ask: str, subject: dict[str, float], substance: list[str], idf: Callable[[str], float]) -> Ask:
    """The ask, answered when the reply's sentences of substance hold enough of its words, the one holding most being
    the evidence; an ask that names nothing but whom it asks ("请求领导及早解决") asks about the message's subject."""
    words = ASKING_WORDS.sub(" ", ask)
    names_something = any(not ADDRESSEES.fullmatch(word) for word in naming_words(words))
    weights = term_weights(words, idf) if names_something else subject
    if not substance or covered(weights, "\n".join(substance)) < ADDRESSED_SHARE:
        return Ask(ask, False, "")
    return Ask(ask, True, max(substance, key=lambda sentence: covered(weights, sentence)))


def _key_set_phrase(sentences: list[str]) -> str:
    """The set phrase that stands for a reply of nothing else: the longest (a referral says more than a greeting)."""
    return max(sentences, key=len, default="")


def _commitment(sentence: str) -> Commitment | None:
    """The sentence from the clause that plans on ("下一步，我局将于2020年6月底前完成改造"), with its deadline."""
    plan = PLAN.search(sentence)
    if not plan:
        return None
    starts = [0, *(m.end() for m in CLAUSE_BREAK.finditer(sentence, 0, plan.start()))]
    first = len(starts) - 1
    while first and CONDITION.search(sentence[starts[first - 1] : starts[first]]):  # "待结果出来后，将依法处理"
        first -= 1
    text = without_terminal(sentence[starts[first] :]).strip()
    deadline = DEADLINE.search(text)
    return Commitment(text, deadline.group(0) if deadline else "")


def days_between(asked: str, replied: str) -> int | None:
    """Days from the message to the reply, when both dates are known."""
    start, end = parsed_date(asked), parsed_date(replied)
    return (end - start).days if start and end else None


@cache
def _general_idf() -> tuple[dict[str, float], float]:
    table = jieba.analyse.TFIDF()
    return table.idf_freq, table.median_idf


def general_idf(word: str) -> float:
    """A word's rarity in general Chinese text (jieba's table), for when no document-frequency table is given."""
    table, median = _general_idf()
    return table.get(word, median)
