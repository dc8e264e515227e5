"""A first draft of the reply to a new suggestion, from precedents: one section for each point it raises, each sentence
checked against an earlier reply and cited, a placeholder where no earlier reply says anything."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from answer.check import SUPPORTED, AnswerCheck, about_the_question, is_refusal
from answer.citations import Citation, citation, source_lines
from answer.claims import complete_claims
from answer.llm import SharedModel
from answer.passages import Passage, number_passages
from answer.prompt import messages
from answer.prompts import render, template
from answer.questions import LIST, shaped
from answer.quotes import QuoteFinder
from answer.results import Token, Waiting
from answer.turns import Ticket, wait_for_turn
from index.keywords import covered, naming_words, own_words
from index.search import Searcher
from settings import Settings
from text.dates import NAMED_YEAR, chinese_date, parsed_date
from text.kinds import KINDS, SALUTATIONS, WRITINGS
from text.markers import markers, strip_markers
from text.normalize import normalize_line
from text.numbers import chinese_numeral, numbers
from text.offices import in_own_voice, names_own_signer, naming_own_signer, same_office
from text.plans import PLAN
from text.sentences import sentence_spans, without_terminal
from text.suggestions import ASKS, Point, read_suggestion

if TYPE_CHECKING:
    from answer.engine import AnswerEngine

log = logging.getLogger(__name__)

# What a suggestion may be uploaded as.
SUGGESTION_SUFFIXES = (".txt", ".docx", ".pdf")
# More points than this are listed as placeholders, not drafted: each costs a model turn of its own.
MAX_SECTIONS = 8
# A figure from a reply older than this many years may have changed since: the draft says so beside it.
_STALE_YEARS = 2
# A point is answered only when the quotes found for it hold this share of its own words (weighted by rarity), those
# its suggestion's title does not name: a quote on the subject every point shares holds the title's words, not these.
MIN_OWN_SHARE = 0.23
# At most this many of a point's own words that no quote holds are named in its placeholder, for the clerk to look up.
_UNMENTIONED_WORDS = 3
# Why a sentence whose 我局 names no office of its cited precedents is left out.
_UNKNOWN_SIGNER = "句中的“我局”不能确定是哪个单位"
COVERED, RELATED, UNVERIFIED, MISSING = "covered", "related", "unverified", "missing"
# How each point stands once drafted, as staff read it.
POINT_STATUS = {
    COVERED: "已依据先例作答",
    RELATED: "先例只涉及相关情况，待核实",
    UNVERIFIED: "先例未能核实，待补充",
    MISSING: "无先例，待补充",
    "": "待起草",
}


@dataclass(frozen=True)
class DraftPlan:
    """What the draft will answer, before the model writes: the suggestion's points, each with its precedents."""

    kind: str
    points: list[dict]
    passages: list[dict]
    frame: dict[str, str]  # the reply's title, greeting and opening, which need no precedent


@dataclass(frozen=True)
class SectionStarted:
    """The model begins a section."""

    heading: str


@dataclass(frozen=True)
class DraftSection:
    """The section for point `index` (0-based), checked: its kept sentences, or its placeholder."""

    index: int
    section: dict


@dataclass
class Draft:
    """The whole draft in the genre's order, with the sources its sentences cite."""

    title: str
    salutation: str
    opening: str
    sections: list[dict]
    next_steps: list[str]
    closing: str
    signature: list[str]
    points: list[dict]
    citations: list[Citation] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def text(self) -> str:
        """The draft as plain text, markers [n] in place, the sources listed at the end."""
        body = [self.title, "", self.salutation, self.opening]
        for section in self.sections:
            body += [section["heading"], section_text(section)]
        cited = source_lines([asdict(c) for c in self.citations])
        return "\n".join([*body, *self.next_steps, self.closing, *self.signature, *(["", "资料来源：", *cited] if cited else [])])


def section_text(section: dict) -> str:
    """A section's paragraph: its sentences and the notes on how old their figures are, or its placeholder (followed by
    the sentences on related matters the precedents do give, for staff to weigh)."""
    written = "".join(s["text"] for s in section["sentences"]) + "".join(section["notes"])
    if section["status"] == COVERED:
        return written
    return section["placeholder"] + written


@dataclass(frozen=True)
class Precedents:
    """What was found for one point: the passages shown to the model, the numbers of those that answer the point, the
    point's own words that none of them holds, and the sentences quoted from each passage (by its number)."""

    shown: list[Passage]
    answering: set[int]
    unmentioned: list[str]
    quoted: dict[int, list[str]] = field(default_factory=dict)


class Drafter:
    """Drafts replies with the chat's searcher, model (through the same line) and answer check."""

    def __init__(
        self, settings: Settings, searcher: Searcher, llm: SharedModel, check: AnswerCheck, quotes: QuoteFinder | None = None
    ) -> None:
        self.settings = settings
        self.searcher = searcher
        self.llm = llm
        self.check = check
        self.quotes = quotes or QuoteFinder(searcher.embedder)

    @classmethod
    def sharing(cls, engine: AnswerEngine) -> Drafter:
        """A drafter on the engine's own searcher, model, check and quotes: one model serves the chat and the drafts."""
        return cls(engine.settings, engine.searcher, engine.llm, engine.check, engine.quotes)

    def draft(self, text: str, office: str = "", kind: str = "", today: date | None = None) -> Draft:
        """The finished draft, without streaming."""
        for event in self.stream(text, office, kind, today):
            if isinstance(event, Draft):
                return event
        raise RuntimeError("the drafter produced no draft")

    def stream(
        self, text: str, office: str = "", kind: str = "", today: date | None = None
    ) -> Iterator[DraftPlan | SectionStarted | Waiting | Token | DraftSection | Draft]:
        """The plan (points and precedents, within seconds), then each section as the model writes it and as checked,
        then the Draft. office signs the reply; kind is one of KINDS (else read from the text). A text that is no
        suggestion raises BadSuggestion."""
        started = time.perf_counter()
        suggestion = read_suggestion(text, kind)
        office = office.strip() or "【承办单位】"
        numbered: dict[str, Passage] = {}  # chunk id -> its passage, numbered once for the whole draft
        spans: dict[int, list[tuple[int, int]]] = {}  # passage number -> the spans the kept sentences rest on
        drafted = suggestion.points[:MAX_SECTIONS]
        found = [self._precedents(point, suggestion.title, numbered) for point in drafted]
        passages = sorted(numbered.values(), key=lambda p: p.n)
        points = [_point_dict(point, precedents) for point, precedents in zip(drafted, found, strict=True)]
        points += [_point_dict(point, Precedents([], set(), [])) for point in suggestion.points[MAX_SECTIONS:]]
        frame = _frame(suggestion.title, suggestion.kind, office)
        timings = {"plan_s": round(time.perf_counter() - started, 3)}
        yield DraftPlan(suggestion.kind, points, [p.to_dict(p.n) for p in passages], frame)
        sections: list[dict] = []
        for index, point in enumerate(suggestion.points):
            heading = render("draft_heading", n=chinese_numeral(index + 1), point=point.label)
            if index < MAX_SECTIONS:
                yield SectionStarted(heading)
                section = yield from self._section(point, heading, found[index], spans, office, today or date.today())
            else:
                section = _placeholder(point, heading, render("draft_beyond", limit=str(MAX_SECTIONS)))
            sections.append(section)
            points[index]["status"] = section["status"]
            timings.setdefault("first_section_s", round(time.perf_counter() - started, 3))
            if "seconds" in section:
                timings.setdefault("first_written_s", round(time.perf_counter() - started, 3))
            yield DraftSection(index, section)
        timings["total_s"] = round(time.perf_counter() - started, 3)
        by_number = {p.n: p for p in numbered.values()}  # a passage found again may have been replaced by its shown copy
        yield Draft(
            **frame,
            sections=sections,
            next_steps=render("draft_next_steps", n=chinese_numeral(len(sections) + 1)).splitlines(),
            closing=template("draft_closing"),
            signature=render("draft_signature", office=office).splitlines(),
            points=points,
            citations=[citation(n, by_number[n].hit, spans[n]) for n in sorted(spans)],
            passages=[p.to_dict(n) for n, p in sorted(by_number.items())],
            timings=timings,
        )
        log.info("drafted %d sections (%d covered) in %s", len(sections), sum(s["status"] == COVERED for s in sections), timings)

    def _precedents(self, point: Point, title: str, numbered: dict[str, Passage]) -> Precedents:
        """The passages that speak to a point, searched with the suggestion's title (which names the subject and the
        place that a point such as "加强巡查" leaves out) and numbered on from those found for earlier points (a passage
        found again keeps its number), none when the best of them shares too little with the point; which of them hold
        a sentence answering the point, as a quote answers a chat question, and hold enough of the point's own words
        (the rest speak only of related matters); and the point's words that none of them holds."""
        query = f"{title} {point.text}".strip()
        hits = self.searcher.search(query, self.settings.top_k)
        if not hits or max(h.coverage for h in hits) < self.settings.min_relevance:
            return Precedents([], set(), [])
        # What a point asks for is what a list question does: the measures taken on it; a sum or a date is not required.
        question = replace(shaped(point.text, point.text), kind=LIST, measure="")
        local = about_the_question(query, number_passages(question, hits, self.settings.list_context_chars))
        quotes = self.quotes(question, [p.hit for p in local], self.searcher.keywords.idf)
        if quotes:  # as in the chat, the reply sentences that speak to the point are what the section is written from
            local = number_passages(question, [p.hit for p in local], self.settings.list_context_chars, quotes)
        shown = []
        for passage in sorted(local, key=lambda p: p.n):
            chunk = passage.hit.chunk.chunk_id
            n = numbered[chunk].n if chunk in numbered else len(numbered) + 1
            renumbered = Passage(n, passage.hit, passage.shown)
            if chunk not in numbered or not numbered[chunk].shown:  # the sources panel shows what a prompt showed
                numbered[chunk] = renumbered
            shown.append(renumbered)
        own = own_words(point.text, title, self.searcher.keywords.idf)
        number = {p.hit.chunk.chunk_id: p.n for p in shown}
        quoted: dict[int, list[str]] = {}
        for quote in sorted(quotes, key=lambda q: (number[q.hit.chunk.chunk_id], q.start)):
            quoted.setdefault(number[quote.hit.chunk.chunk_id], []).append(quote.text)
        # Each passage on its own quotes: two near misses do not add up to an answer.
        answering = {n for n, texts in quoted.items() if covered(own, "\n".join(texts)) >= MIN_OWN_SHARE}
        seen = "\n".join(t for texts in quoted.values() for t in texts) or "\n".join(p.shown for p in shown)
        return Precedents(shown, answering, _unmentioned(own, point.label, seen), quoted)

    def _section(
        self,
        point: Point,
        heading: str,
        precedents: Precedents,
        spans: dict[int, list[tuple[int, int]]],
        office: str,
        today: date,
    ) -> Iterator[Waiting | Token | dict]:
        """The checked section for one point: the model writes from the point's passages, the sentences no passage
        supports are dropped (and listed), figures from old replies are noted; a placeholder when nothing is left, and
        before the sentences when none of them rests on a passage that answers the point (they speak of related matters)."""
        shown = precedents.shown
        if not any(p.shown for p in shown):
            return _placeholder(point, heading, render("draft_missing", point=point.label))
        ticket: Ticket = yield from wait_for_turn(self.llm.turns)
        writing = time.perf_counter()
        asked = template("draft_check")
        reply: list[str] = []
        try:
            prompt = messages(render("draft_question", point=point.label, asked=asked), shown, "draft_section")
            for piece in self.llm.stream(prompt, self.settings.max_tokens, ticket):
                reply.append(piece)
                yield Token(piece)
        finally:
            ticket.leave()
        by_number = {p.n: p for p in shown}
        written = "".join(reply)
        section = _blank(point, heading) | {"status": COVERED}
        section |= {"seconds": round(time.perf_counter() - writing, 3), "pieces": len(reply)}
        self._keep_checked(section, "" if is_refusal(written) else written, by_number, spans, office, today)
        if not section["sentences"] and precedents.quoted:
            # The model's sentences all failed the check: the precedents' own sentences on the point stand in for them.
            self._keep_checked(section, _in_their_words(precedents.quoted), by_number, spans, office, today)
            if section["sentences"]:
                section["notes"] = sorted({*section["notes"], template("draft_quoted")})
        cited = "".join(f"[{p.n}]" for p in shown if p.shown)
        if not section["sentences"]:
            section |= {"status": UNVERIFIED, "placeholder": render("draft_unverified", cited=cited, point=point.label)}
        elif not any(set(s["markers"]) & precedents.answering for s in section["sentences"]):
            unmentioned = "".join(f"“{word}”" for word in precedents.unmentioned)  # quoted items take no 顿号 (GB/T 15834)
            unmentioned = render("draft_unmentioned", words=unmentioned) if unmentioned else ""
            placeholder = render("draft_related", cited=cited, point=point.label, unmentioned=unmentioned)
            section |= {"status": RELATED, "placeholder": placeholder}
        return section

    def _keep_checked(
        self,
        section: dict,
        written: str,
        by_number: dict[int, Passage],
        spans: dict[int, list[tuple[int, int]]],
        office: str,
        today: date,
    ) -> None:
        """Into the section, the written sentences the check finds supported by the passages they cite (in the office's
        own voice, plans and figures from old replies noted), the rest listed as dropped with the check's reason; the
        spans of the passages the kept sentences rest on into spans."""
        if not written.strip():
            return
        shown = list(by_number.values())
        # Checked against a question that names nothing: the suggestion's own words are what it asks for, not facts.
        checked = self.check(_in_signers_words(written, by_number, office), template("draft_check"), shown)
        kept_before = len(section["sentences"])
        for sentence in checked.sentences:
            cited = [by_number[n] for n in sentence.markers]
            if sentence.status != SUPPORTED or (names_own_signer(sentence.text) and not _signed_by(cited, office)):
                why = sentence.reason if sentence.status != SUPPORTED else _UNKNOWN_SIGNER
                section["dropped"].append({"text": strip_markers(sentence.text), "reason": why})
                continue
            # The office drafting speaks of itself as 我局, as its own earlier replies do.
            section["sentences"].append({**sentence.__dict__, "text": in_own_voice(sentence.text, office), "stale": False})
            notes = []
            if planned := _planned_in_an_earlier_year(sentence.text, cited, today):
                notes.append(render("draft_plan", date=chinese_date(planned)))
            if stale := _stale_since(sentence.text, cited, today):
                notes.append(render("draft_stale", date=chinese_date(stale)))
            if notes:
                section["sentences"][-1]["stale"] = True
                section["notes"] = sorted({*section["notes"], *notes})
        kept = {n for s in section["sentences"][kept_before:] for n in s["markers"]}
        for c in checked.citations:
            if c.n in kept:
                offset = int(by_number[c.n].hit.meta.get("start", 0))
                spans.setdefault(c.n, []).append((c.start - offset, c.end - offset))


def _unmentioned(own: dict[str, float], label: str, text: str) -> list[str]:
    """Up to three words of the label (what the clerk reads) naming things that are the point's own and that the text
    does not hold: the rarest, in the label's order."""
    seen = text.lower()
    words = [w for w in dict.fromkeys(naming_words(label)) if w.lower() in own and w.lower() not in seen and not ASKS.search(w)]
    rarest = set(sorted(words, key=lambda w: -own[w.lower()])[:_UNMENTIONED_WORDS])  # stable: ties keep the label's order
    return [w for w in words if w in rarest]


def _in_their_words(quoted: dict[int, list[str]]) -> str:
    """The quoted sentences of the precedents as a section would cite them, each with its passage's marker."""
    cited = []
    for n, quotes in quoted.items():
        for sentence in (quote[start:end].strip() for quote in quotes for start, end in sentence_spans(quote)):
            body = without_terminal(sentence)
            cited.append(f"{body}[{n}]{sentence[len(body) :]}")  # the marker before the full stop, as the model puts it
    return "".join(cited)


def _frame(title: str, kind: str, office: str) -> dict[str, str]:
    """The reply's title, greeting and opening for this kind of suggestion."""
    writing = WRITINGS[kind]
    heading = (
        render("draft_title_message", office=office)
        if kind == KINDS[2]
        else render("draft_title", office=office, writing=writing)
    )
    subject = f"《{title}》" if title else writing
    return {"title": heading, "salutation": SALUTATIONS[kind], "opening": render("draft_opening", subject=subject, office=office)}


def _blank(point: Point, heading: str) -> dict:
    """A section with nothing in it yet."""
    return {"heading": heading, "point": point.label, "status": MISSING, "sentences": [], "dropped": [], "notes": []}


def _placeholder(point: Point, heading: str, placeholder: str) -> dict:
    return _blank(point, heading) | {"placeholder": placeholder}


def _point_dict(point: Point, precedents: Precedents) -> dict:
    """A point as the plan lists it: its label and text, the replies its passages come from, whether one of them
    answers it, and its words none of them holds."""
    replies: dict[str, dict] = {}
    for p in precedents.shown:
        meta = p.hit.meta
        fields = {f: meta.get(f, "") for f in ("title", "signing_office", "date", "kind")}
        replies.setdefault(p.hit.chunk.doc_id, {"doc_id": p.hit.chunk.doc_id, "n": p.n, **fields})
    return {
        "label": point.label,
        "text": point.text,
        "status": "",
        "precedents": list(replies.values()),
        "quotes_answer": bool(precedents.answering),
        "unmentioned": precedents.unmentioned,
    }


def _signers(cited: list[Passage]) -> set[str]:
    return {str(p.hit.meta.get("signing_office", "")) for p in cited}


def _signed_by(cited: list[Passage], office: str) -> bool:
    """Every cited passage comes from a reply the office drafting signed itself."""
    signers = _signers(cited)
    return bool(signers) and all(same_office(signer, office) for signer in signers)


def _in_signers_words(reply: str, by_number: dict[int, Passage], office: str) -> str:
    """The reply with each sentence's 我局 written as the office that signed the one reply it cites, when that is not
    the office drafting; checked as written (the office's own name becomes 我局 only after the check)."""
    rewritten = []
    for sentence in complete_claims(reply):
        cited = [by_number[n] for n in markers(sentence) if n in by_number]
        signers = _signers(cited)
        if names_own_signer(sentence) and len(signers) == 1 and not _signed_by(cited, office):
            sentence = naming_own_signer(sentence, signers.pop())
        rewritten.append(sentence)
    return "".join(rewritten)


def _planned_in_an_earlier_year(sentence: str, cited: list[Passage], today: date) -> str:
    """The date of the newest cited reply from before this year, when the sentence tells of a plan without its year:
    what a reply planned then ("计划新增充电桩500个") may be done, dropped or late by now."""
    plain = normalize_line(strip_markers(sentence))
    if not PLAN.search(plain) or any(int(year) >= today.year for year in NAMED_YEAR.findall(plain)):
        return ""
    return _newest_before(cited, date(today.year, 1, 1))


def _stale_since(sentence: str, cited: list[Passage], today: date) -> str:
    """The date of the newest reply more than two years old among those that state one of the sentence's figures."""
    figures = numbers(strip_markers(sentence))
    cutoff = date(today.year - _STALE_YEARS, today.month, min(today.day, 28))  # a leap day has no twin two years on
    return _newest_before(cited, cutoff, lambda text: bool(figures & numbers(text)))


def _newest_before(cited: list[Passage], cutoff: date, holds: Callable[[str], bool] = lambda text: True) -> str:
    """The date of the newest cited reply dated before the cutoff whose passage holds what is asked."""
    dated = ((parsed_date(str(p.hit.meta.get("date", ""))), p) for p in cited)
    return max((str(d) for d, p in dated if d and d < cutoff and holds(p.hit.chunk.text)), default="")
