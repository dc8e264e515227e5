"""Citations: the exact span of a retrieved passage, and so of its document, that supports an answer's sentences."""

from __future__ import annotations

from dataclasses import dataclass

from answer.support import support
from index.search import Hit
from text.dates import chinese_date
from text.numbers import NUMBER, fact, numbers
from text.sentences import sentence_spans


@dataclass
class Citation:
    """Where a claim comes from: a passage of a reply and the exact span of the document that supports it."""

    n: int
    doc_id: str
    title: str
    source: str
    section: str
    text: str
    start: int
    end: int
    passage: str = ""  # the whole retrieved passage, so a reader sees the span in context
    office: str = ""  # the reply's signing office and date, for a list of sources
    date: str = ""


def supporting_span(claim: str, passage: str) -> tuple[int, int]:
    """Offsets in passage of the sentence(s) that best support claim: the best sentence, widened to hold its facts."""
    spans = sentence_spans(passage)
    if not spans:
        return 0, len(passage)
    scored = [(support(claim, passage[s:e]).overlap, s, e) for s, e in spans]
    _, start, end = max(scored)
    wanted = numbers(claim)
    for match in NUMBER.finditer(passage):  # the passage is normalised text already, so offsets hold
        if fact(match) in wanted:
            for s, e in spans:
                if s <= match.start() < e:
                    start, end = min(start, s), max(end, e)
    return start, end


def citation(n: int, hit: Hit, spans: list[tuple[int, int]]) -> Citation:
    """One source for every sentence resting on this passage: the span from the first to the last supporting sentence."""
    s, e = min(a for a, _ in spans), max(b for _, b in spans)
    offset = int(hit.meta.get("start", 0))
    return Citation(
        n=n,
        doc_id=hit.chunk.doc_id,
        title=str(hit.meta.get("title", "")),
        source=str(hit.meta.get("source", "")),
        section=str(hit.meta.get("section", "")),
        text=hit.chunk.text[s:e],
        start=offset + s,
        end=offset + e,
        passage=hit.chunk.text,
        office=str(hit.meta.get("signing_office", "")),
        date=str(hit.meta.get("date", "")),
    )


def source_lines(citations: list[dict]) -> list[str]:
    """The sources as listed under a draft or an answer: [n] reply, office, date, section, then the quoted span."""
    lines = []
    for c in citations:
        where = "，".join(x for x in (c["title"], c.get("office", ""), chinese_date(c.get("date", "")), c["section"]) if x)
        lines.append(f"[{c['n']}] {where}。引文：“{c['text'].strip()}”")
    return lines
