"""The retrieved passages as the answer path numbers them: [n] in the prompt is passage n throughout."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from answer.context import excerpts, joined_spans
from answer.questions import LIST, Question
from answer.quotes import Quote
from index.search import Hit
from text.dates import chinese_date
from text.places import masked_places, places

# Enough of a section heading to tell the model where a passage sits; the rest is prompt time.
_SECTION_CHARS = 24


@dataclass(frozen=True)
class Passage:
    """A retrieved passage with its number, and the sentences of it the prompt shows (empty: not shown)."""

    n: int
    hit: Hit
    shown: str = ""

    @cached_property  # read for every claim the check weighs against this passage
    def header(self) -> tuple[str, str, str]:
        """Where the passage comes from, as the prompt shows it: signing office, date, and the start of its section."""
        meta = self.hit.meta
        section = str(meta.get("section", "")).split(" > ")[0][:_SECTION_CHARS]
        return str(meta.get("signing_office", "")), chinese_date(str(meta.get("date", ""))), section

    def to_dict(self, rank: int) -> dict:
        """The passage as the app shows it beside the answer and the evaluation keeps it: number, rank, reply fields."""
        meta = self.hit.meta
        fields = {f: meta.get(f, "") for f in ("kind", "signing_office", "date")}
        return {"n": self.n, **self.hit.to_dict(rank), **fields, "shown": self.shown}

    @cached_property
    def places(self) -> set[str]:
        """Where the reply is about: the place of its office and title, and any masked place ("A3区") it names."""
        office, _, _ = self.header
        return places(f"{office} {self.hit.meta.get('title', '')}") | masked_places(self.hit.chunk.text)

    @cached_property
    def checkable_text(self) -> str:
        """What a claim may rest on: the passage with its title and section, and the office and date the prompt showed."""
        office, date, _ = self.header
        return "\n".join((self.hit.chunk.searchable_text, office, date))


def number_passages(question: Question, hits: list[Hit], budget: int, quotes: list[Quote] = ()) -> list[Passage]:
    """The hits in rank order, each numbered: those the prompt shows 1, 2, … in rank order, the rest after them, which
    the check still weighs. The prompt shows the quotes when there are any, else the sentences nearest the question
    (budget characters in all)."""
    if quotes:
        spans = {i: [(q.start, q.end) for q in quotes if q.hit.chunk.chunk_id == h.chunk.chunk_id] for i, h in enumerate(hits)}
        chosen = {i: joined_spans(hits[i].chunk.text, found) for i, found in spans.items() if found}
    else:
        texts = [h.chunk.text for h in hits]
        chosen = {x.passage: x.text for x in excerpts(question.text, texts, budget, question.kind == LIST)}
    order = sorted(range(len(hits)), key=lambda i: (i not in chosen, i))
    number = {i: n for n, i in enumerate(order, 1)}
    return [Passage(number[i], hit, chosen.get(i, "")) for i, hit in enumerate(hits)]
