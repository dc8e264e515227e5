"""Hybrid retrieval: dense (Chroma) and BM25 (jieba) ranks fused by reciprocal rank, with metadata filters."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

from index.embedder import Embedder, load_embedder
from index.filters import Filters
from index.keyword_index import KeywordIndex, open_keyword_index
from index.keywords import covered, tokenize
from index.store import ReplyStore, StoredChunk
from settings import Settings
from text.formulas import is_framing, says_little
from text.sentences import sentence_spans

log = logging.getLogger(__name__)

# The usual reciprocal-rank-fusion constant: damps the head of each ranking.
_RRF_K = 60
# How long a searcher trusts its copy of the index before asking the store whether a build changed it.
_RECHECK_S = 2.0
# A reply's best passage that only frames it (greeting, thanks, contact lines) gives way to its best passage that says
# something, if that one's fused score is within this share of it (python -m eval.passage_choice --half tune).
SUBSTANCE_MARGIN = 0.2


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and how well it covers the question's terms."""

    chunk: StoredChunk
    score: float
    dense: float
    keyword: float
    coverage: float

    @property
    def meta(self) -> dict:
        return self.chunk.metadata

    def to_dict(self, rank: int) -> dict:
        """The hit as printed by the CLI and kept with each answer."""
        return {
            "rank": rank,
            "score": round(self.score, 5),
            "dense": round(self.dense, 4),
            "keyword": round(self.keyword, 3),
            "coverage": round(self.coverage, 3),
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.chunk_id,
            **{f: self.meta.get(f, "") for f in ("title", "source", "section")},
            "start": self.meta.get("start"),
            "end": self.meta.get("end"),
            "text": self.chunk.text,
        }


class Searcher:
    """Searches the committed chunks of one store: Chroma's vectors and the keyword index beside it, which follows the
    store's change log; the texts and fields of the hits are read by id when a search returns them."""

    def __init__(self, settings: Settings, store: ReplyStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store or ReplyStore(settings)
        self.embedder = embedder or load_embedder(settings)
        self._keywords: KeywordIndex | None = None
        self._checked = 0.0
        self._following = threading.Lock()
        self._values: dict[str, list[str]] = {}

    @property
    def keywords(self) -> KeywordIndex:
        """The keyword index beside Chroma, caught up with the builds and removals of any process or machine (asked
        of the store at most once every few seconds, by one thread: the others search what is committed)."""
        if self._keywords is not None and time.monotonic() - self._checked < _RECHECK_S:
            return self._keywords
        if not self._following.acquire(blocking=self._keywords is None):
            return self._keywords
        try:
            keywords = self._keywords or open_keyword_index(self.store.keyword_folder)
            if changed := keywords.catch_up(self.store, wait=False):
                log.info("keyword index caught up: %d document(s) changed, %d chunks", changed, keywords.size)
            self._keywords, self._checked, self._values = keywords, time.monotonic(), {}
        finally:
            self._following.release()
        return self._keywords

    def values(self, field: str) -> list[str]:
        """The distinct values a field takes in the index, for choosing a filter (read again after each check)."""
        keywords = self.keywords
        if field not in self._values:
            self._values[field] = keywords.values(field)
        return self._values[field]

    def dense_ranking(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[str, str, float]]:
        """(chunk id, doc_id, cosine similarity) of the n chunks nearest the query, best first."""
        where = filters.where() if filters else None
        return self.store.nearest_chunks(self.embedder.embed_query(query), n, where)

    def keyword_ranking(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[str, str, float]]:
        """(chunk id, doc_id, BM25 score) of the n best chunks sharing any words with the query, best first."""
        return self.keywords.search(query, n, filters)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for query, best first, among those the filters allow."""
        k = k or self.settings.top_k
        if filters is not None and filters.signing_office:
            filters = filters.with_offices(self.values("signing_office"))
        if not query.strip() or (filters is not None and filters.offices == ()):
            return []
        n = max(k, self.settings.candidates)
        rankings = [self.dense_ranking(query, n, filters), self.keyword_ranking(query, n, filters)]
        # Chunks of documents not committed (a build's under way or stopped, a removal just made) take no rank.
        committed = self.store.committed(doc for ranking in rankings for _, doc, _ in ranking)
        dense, keyword = ([(c, score) for c, doc, score in ranking if doc in committed] for ranking in rankings)
        fused = reciprocal_rank_fusion([dense, keyword], [self.settings.dense_weight, self.settings.keyword_weight])
        dense_score, keyword_score = dict(dense), dict(keyword)
        weights = {t: self.keywords.idf(t) for t in set(tokenize(query))}
        hits: list[Hit] = []
        # Read by id, k at a time: a chunk gone since the rankings were made is left out and the next one read.
        for start in range(0, len(fused), k):
            window = fused[start : start + k]
            chunks = self.store.read_chunks([i for i, _ in window])
            hits += [
                Hit(chunks[i], score, dense_score.get(i, 0.0), keyword_score.get(i, 0.0), coverage(weights, chunks[i]))
                for i, score in window
                if i in chunks
            ]
            if len(hits) >= k:
                break
        return hits[:k]

    def search_documents(self, query: str, k: int = 10, filters: Filters | None = None, passages: int = 2) -> list[DocumentHit]:
        """Precedent search: the documents whose passages match best, each with its best passages and the matching terms."""
        hits = self.search(query, max(self.settings.candidates, k * 3), filters)
        by_doc: dict[str, list[Hit]] = {}
        for hit in hits:
            by_doc.setdefault(hit.chunk.doc_id, []).append(hit)
        terms = sorted(set(tokenize(query)), key=len, reverse=True)
        # A document ranks by its best passage: adding its further passages favoured long replies (MRR 0.54 against
        # 0.64 on the Teddy tuning half, python -m eval.retrieval --half tune).
        ranked = list(by_doc.values())[:k]
        # Fields and sources from the manifest: a chunk keeps the source it was first indexed under.
        records = self.store.get_documents([group[0].chunk.doc_id for group in ranked])
        weights = {t: self.keywords.idf(t) for t in terms}
        found = []
        for group in ranked:
            if (doc_id := group[0].chunk.doc_id) not in records:  # a document removed since the chunks were read
                continue
            first, *others = substance_first(group, SUBSTANCE_MARGIN)
            shown = [first, *(h for h in others if not _says_little(h))][:passages]  # a greeting is never second either
            found.append(
                DocumentHit(
                    doc_id=doc_id,
                    metadata={**records[doc_id].fields, "source": ", ".join(records[doc_id].sources)},
                    score=group[0].score,
                    passages=shown,
                    terms=[t for t in terms if any(t in h.chunk.text for h in shown)],
                    sentences=[best_sentence(h.chunk.text, weights, str(h.meta.get("title", ""))) for h in shown],
                )
            )
        return found


def substance_first(hits: list[Hit], margin: float) -> list[Hit]:
    """A reply's hits, best first, except that when the best only frames the reply (its greeting and thanks, its
    contact or signature lines) its best hit that says something leads, if that one scores within margin of it."""
    if not hits or not _says_little(hits[0]):
        return hits
    floor = hits[0].score * (1 - margin)
    substantive = next((h for h in hits if h.score >= floor and not _says_little(h)), None)
    return hits if substantive is None else [substantive, *(h for h in hits if h is not substantive)]


def _says_little(hit: Hit) -> bool:
    return says_little(hit.chunk.text, str(hit.meta.get("title", "")))


def best_sentence(text: str, weights: dict[str, float], title: str = "") -> tuple[int, int]:
    """(start, end) in text of the sentence holding most of the query's weighted terms, one that says something (not
    the reply's title either) if any does; the first such sentence on a tie."""
    spans = sentence_spans(text) or [(0, len(text))]
    saying = [(s, e) for s, e in spans if not is_framing(text[s:e], title)] or spans
    return max(saying, key=lambda span: covered(weights, text[span[0] : span[1]]))


# The fields of a reply listed with each precedent.
PRECEDENT_FIELDS = (
    "title",
    "kind",
    "signing_office",
    "lead_office",
    "co_offices",
    "date",
    "session",
    "addressee",
    "source",
    "question",
)


@dataclass(frozen=True)
class DocumentHit:
    """A whole reply found by precedent search."""

    doc_id: str
    metadata: dict
    score: float
    passages: list[Hit]
    terms: list[str]
    sentences: list[tuple[int, int]]  # the best sentence of each passage, offsets into its text

    def to_dict(self, rank: int) -> dict:
        """The reply as the CLI (--docs --json), the app, its API and its export give it."""
        return {
            "rank": rank,
            "score": round(self.score, 4),
            "doc_id": self.doc_id,
            **{f: self.metadata.get(f, "") for f in PRECEDENT_FIELDS},
            "terms": self.terms,
            "passages": [
                {
                    "section": h.meta.get("section", ""),
                    "start": h.meta.get("start"),
                    "end": h.meta.get("end"),
                    "text": h.chunk.text,
                    "marked": mark_terms(h.chunk.text, self.terms),
                    "sentence_start": h.meta.get("start", 0) + s,
                    "sentence_end": h.meta.get("start", 0) + e,
                }
                for h, (s, e) in zip(self.passages, self.sentences, strict=True)
            ],
        }


def reciprocal_rank_fusion(rankings: list[list[tuple[str, float]]], weights: list[float]) -> list[tuple[str, float]]:
    """Items of several rankings ordered by the weighted sum of 1 / (RRF_K + rank)."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (item, _) in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + weight / (_RRF_K + rank + 1)
    return sorted(fused.items(), key=lambda pair: -pair[1])


def mark_terms(text: str, terms: list[str]) -> str:
    """The text with each matching term wrapped in 【】, longest terms first so that they stay whole."""
    if not terms:
        return text
    return re.sub("|".join(re.escape(t) for t in terms), lambda m: f"【{m.group(0)}】", text)


def coverage(weights: dict[str, float], chunk: StoredChunk) -> float:
    """IDF-weighted share of the question's terms found in the chunk, its section or its title."""
    return covered(weights, chunk.searchable_text)
