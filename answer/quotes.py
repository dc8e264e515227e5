"""The reply's own sentences that answer the question: chosen from the retrieved passages before the model writes,
shown as 答复原文, and the backbone of the answer. The model only summarises on top of them.

A sentence (or a counted-off list with its lead-in) is scored by the share of the question's rare words it holds,
the embedder's similarity to the question, and whether it offers what the question asks for: a figure, a date, an
office, a list. The weights and thresholds were chosen on the tuning sets (docs/quotes.md)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from answer.context import point_lists
from answer.questions import DATE, FIGURE, LIST, MONEY, OFFICE, POINT_IN_TIME, Question, kind_of, measure_of
from answer.support import quoted_names
from index.embedder import Embedder
from index.keywords import covered, term_weights
from index.search import Hit
from text.dates import DATE as FULL_DATE
from text.dates import NAMED_YEAR, STATED_DATE, WHEN
from text.formulas import is_formula
from text.numbers import SUM_OF_MONEY, designations, numbers, unit
from text.offices import organisations
from text.places import elsewhere, masked_places
from text.sentences import POINTS_BACK, sentence_spans

# Weights of the embedder's similarity and of offering what the question asks for, beside the rare-word share (0-1).
DENSE_WEIGHT = 4.0
SHAPE_WEIGHT = 0.3
# e5 similarities crowd between 0.7 and 0.9: the floor is taken off before weighting.
DENSE_FLOOR = 0.75
# A sentence answers when it holds this share of the question's rare words, or is this similar to the question.
MIN_SHARE = 0.5
MIN_SIMILARITY = 0.9
# A counted-off list with its lead-in answers a question for a list on less: its items rarely repeat the question.
LIST_MIN_SHARE = 0.2
LIST_MIN_SIMILARITY = 0.87
# The quotes kept beside the best: at most this many, scoring at least this share of the best's score.
MAX_QUOTES = 3
KEEP_SHARE = 0.6
# Characters of quotes in all: the prompt is the quotes, and the answer should be short; a list may take more.
QUOTE_CHARS = 300
LIST_QUOTE_CHARS = 600
# Embeddings of sentences kept between questions: a passage is often retrieved again.
_CACHED_VECTORS = 4096


@dataclass(frozen=True)
class Quote:
    """A span of a retrieved passage quoted as the answer: offsets into the passage's text."""

    hit: Hit
    start: int
    end: int
    score: float = 0.0
    is_list: bool = False  # a counted-off list with its lead-in, not one sentence

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start : self.end]

    def overlaps(self, other: Quote) -> bool:
        return self.hit.chunk.chunk_id == other.hit.chunk.chunk_id and self.start < other.end and other.start < self.end

    def to_dict(self, n: int) -> dict:
        """The quote as the API, the UI and the evaluation take it, n the number of its passage; start and end are
        offsets into the document."""
        meta = self.hit.meta
        offset = int(meta.get("start", 0))
        fields = {f: str(meta.get(f, "")) for f in ("title", "source", "section", "date")}
        return {
            "n": n,
            "text": self.text,
            "doc_id": self.hit.chunk.doc_id,
            **fields,
            "office": str(meta.get("signing_office", "")),  # as a citation names it
            "start": offset + self.start,
            "end": offset + self.end,
            "score": round(self.score, 3),
        }


class QuoteFinder:
    """Finds the sentences of the passages that answer a question; one per engine, its embeddings cached."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, question: Question, hits: list[Hit], idf: Callable[[str], float]) -> list[Quote]:
        """The best sentences of the passages for each part of the question, best first, within the character budget;
        none when no sentence answers it."""
        named = designations(question.text)
        candidates = [c for hit in hits if named <= designations(hit.chunk.searchable_text) for c in _candidates(hit)]
        candidates = [c for c in candidates if not about_another(question.text, c.text)]
        if not candidates:
            return []
        vectors = self._embedded([c.text for c in candidates])
        chosen: list[Quote] = []
        budget = LIST_QUOTE_CHARS if question.kind == LIST else QUOTE_CHARS
        for part in question.parts:
            kind = question.kind if len(question.parts) == 1 else kind_of(part)
            measure = question.measure if len(question.parts) == 1 else measure_of(kind, part)
            scored = self._scored(part, question, kind, candidates, vectors, idf)
            for quote in _kept(scored, budget // len(question.parts), measure, kind == LIST):
                if not any(q.overlaps(quote) for q in chosen):
                    chosen.append(quote)
        return sorted(chosen, key=lambda q: -q.score)

    def _scored(
        self,
        text: str,
        question: Question,
        kind: str,
        candidates: list[Quote],
        vectors: np.ndarray,
        idf: Callable[[str], float],
    ) -> list[tuple[Quote, float, float]]:
        """(quote, rare-word share, similarity) of every candidate, best score first."""
        asked = self.embedder.embed_query(text)
        similarity = vectors @ asked
        weights = term_weights(text, idf)
        # A follow-up is answered about what its own words ask ("那资金方面呢？": funds) as much as about what it leans on.
        own = term_weights(question.asked, idf) if question.follow_up else {}
        scored = []
        for candidate, dense in zip(candidates, similarity, strict=True):
            share = covered(weights, candidate.text)
            if own:
                share = (share + covered(own, candidate.text)) / 2
            score = share + DENSE_WEIGHT * max(0.0, float(dense) - DENSE_FLOOR) + SHAPE_WEIGHT * offers(kind, candidate)
            scored.append((replace(candidate, score=score), share, float(dense)))
        return sorted(scored, key=lambda s: -s[0].score)

    def _embedded(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self._vectors[text] = vector
        for text in texts:
            self._vectors.move_to_end(text)
        while len(self._vectors) > _CACHED_VECTORS:
            self._vectors.popitem(last=False)
        return np.stack([self._vectors[t] for t in texts])


def _candidates(hit: Hit) -> list[Quote]:
    """Each sentence of the passage that says something (not a greeting, thanks or set phrase), and each counted-off
    list with the sentence leading into it."""
    text = hit.chunk.text
    spans = sentence_spans(text)
    found = [Quote(hit, s, e) for s, e in spans if not is_formula(text[s:e])]
    found += [Quote(hit, spans[first][0], spans[last][1], is_list=True) for first, last in point_lists(text, spans)]
    return found


def about_another(question: str, sentence: str) -> bool:
    """The sentence speaks of another place or year than the question names ("2021年…" for 2022, "A5区" for A3区), or
    of another programme it names in quotes (“深港通” for “科汇通”)."""
    if elsewhere(question, sentence, masked_places(sentence)):
        return True
    asked, named = quoted_names(question), quoted_names(sentence)
    return bool(asked and named and not asked & named)


def offers(kind: str, candidate: Quote) -> bool:
    """The candidate holds what the question asks for: a figure with its unit, a date, an office, a list."""
    text = candidate.text
    if kind == FIGURE:
        return any(unit(n) for n in numbers(text))
    if kind == DATE:
        return bool(FULL_DATE.search(text) or STATED_DATE.search(text) or NAMED_YEAR.search(text))
    if kind == OFFICE:
        return bool(organisations(text))
    if kind == LIST:
        return candidate.is_list
    return False


def states(measure: str, candidate: Quote) -> bool:
    """The candidate states what the question must be told: a sum of money, a point in time (a date, a year, an hour,
    年底); anything when the question names no such measure."""
    if measure == MONEY:
        return bool(SUM_OF_MONEY.search(candidate.text))
    if measure == POINT_IN_TIME:
        return offers(DATE, candidate) or bool(WHEN.search(candidate.text))
    return True


def _kept(scored: list[tuple[Quote, float, float]], budget: int, measure: str = "", for_list: bool = False) -> list[Quote]:
    """The best quote if it answers (and states the measure asked for: a question on a sum of money is not answered
    by a sentence without one), and the next best close behind it, within the budget."""
    best, share, dense = next((s for s in scored if states(measure, s[0])), (None, 0.0, 0.0))
    if best is None or not _answers(best, share, dense, for_list):
        return []
    kept = [_with_what_follows(best)]
    used = len(kept[0].text)
    for quote, _, _ in scored:
        if len(kept) == MAX_QUOTES or quote.score < KEEP_SHARE * best.score:
            break
        if quote is best or not states(measure, quote):  # a sentence without the sum asked for is the near miss
            continue
        quote = _with_what_follows(quote)
        if not any(k.overlaps(quote) for k in kept) and used + len(quote.text) <= budget:
            kept.append(quote)
            used += len(quote.text)
    return kept


def _answers(quote: Quote, share: float, dense: float, for_list: bool) -> bool:
    """The quote holds enough of the question's rare words, or is close enough to it in meaning, to answer it."""
    if share >= MIN_SHARE or dense >= MIN_SIMILARITY:
        return True
    return for_list and quote.is_list and share >= LIST_MIN_SHARE and dense >= LIST_MIN_SIMILARITY


def _with_what_follows(quote: Quote) -> Quote:
    """The quote with the sentence after it when that one points back at it ("上述补贴政策目前仍在有效期内")."""
    text = quote.hit.chunk.text
    following = sentence_spans(text, quote.end)
    if following and POINTS_BACK.match(text[slice(*following[0])]):
        return replace(quote, end=following[0][1])
    return quote
