"""Hybrid retrieval: dense (Chroma) and BM25 (jieba) ranks fused by reciprocal rank, with metadata filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index.embedder import Embedder, load_embedder
from index.keywords import KeywordIndex, learn_quoted_terms, tokenize
from index.store import ReplyStore, StoredChunk
from settings import Settings

# The usual reciprocal-rank-fusion constant: damps the head of each ranking.
_RRF_K = 60


@dataclass(frozen=True)
class Filters:
    """Metadata a search is restricted to; empty fields do not filter. Applied to both retrievers."""

    year_from: int | None = None
    year_to: int | None = None
    office: str = ""
    kind: str = ""
    session: str = ""
    addressee: str = ""

    @staticmethod
    def years(text: str | None) -> tuple[int | None, int | None]:
        """A year ("2023") or a range ("2022-2024", "2022至2024") as (first, last); anything else filters nothing."""
        found = re.findall(r"\d{4}", text or "")
        return (int(found[0]), int(found[-1])) if found else (None, None)

    def _equalities(self) -> dict[str, str]:
        named = {"signing_office": self.office, "kind": self.kind, "session": self.session, "addressee": self.addressee}
        return {k: v for k, v in named.items() if v}

    def where(self) -> dict | None:
        """The same restriction as a Chroma where clause."""
        clauses: list[dict] = [{k: v} for k, v in self._equalities().items()]
        if self.year_from is not None:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            clauses.append({"year": {"$lte": self.year_to}})
        return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, metadata: dict) -> bool:
        year = int(metadata.get("year", 0) or 0)
        return (
            all(metadata.get(k) == v for k, v in self._equalities().items())
            and (self.year_from is None or year >= self.year_from)
            and (self.year_to is None or year <= self.year_to)
        )


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
    """Searches the chunks of one store; the keyword index is built from the store on first use."""

    def __init__(self, settings: Settings, store: ReplyStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store or ReplyStore(settings)
        self.embedder = embedder or load_embedder(settings.embedder, settings.threads)

    @cached_property
    def _chunks(self) -> list[StoredChunk]:
        committed = {r.doc_id for r in self.store.all_documents()}
        return [c for c in self.store.all_chunks() if c.doc_id in committed]  # orphans of a killed build are invisible

    @cached_property
    def _keywords(self) -> KeywordIndex:
        learn_quoted_terms(c.text for c in self._chunks)
        return KeywordIndex([searchable_text(c) for c in self._chunks])

    @cached_property
    def _position(self) -> dict[str, int]:
        return {c.chunk_id: i for i, c in enumerate(self._chunks)}

    def refresh(self) -> None:
        """Forget cached chunks after the index changed."""
        for name in ("_chunks", "_keywords", "_position"):
            self.__dict__.pop(name, None)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for query, best first, among those the filters allow."""
        k = k or self.settings.top_k
        if not self._chunks or not query.strip():
            return []
        n = min(max(k, self.settings.candidates), len(self._chunks))
        where = filters.where() if filters else None
        dense_hits = self.store.nearest_chunks(self.embedder.embed_query(query), n, where)
        dense_hits = [h for h in dense_hits if h.chunk_id in self._position]
        tokens = tokenize(query)
        bm25 = self._keywords.scores(tokens)
        if where:
            bm25 = bm25 * np.array([filters.matches(c.metadata) for c in self._chunks], dtype=bm25.dtype)
        keyword_order = [i for i in np.argsort(-bm25)[:n] if bm25[i] > 0]

        fused: dict[str, float] = {}
        for rank, hit in enumerate(dense_hits):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + self.settings.dense_weight / (_RRF_K + rank + 1)
        for rank, i in enumerate(keyword_order):
            cid = self._chunks[i].chunk_id
            fused[cid] = fused.get(cid, 0.0) + self.settings.keyword_weight / (_RRF_K + rank + 1)
        dense_score = {h.chunk_id: h.score for h in dense_hits}
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        return [
            Hit(
                chunk=self._chunks[self._position[cid]],
                score=fused[cid],
                dense=dense_score.get(cid, 0.0),
                keyword=float(bm25[self._position[cid]]),
                coverage=self.coverage(tokens, self._chunks[self._position[cid]]),
            )
            for cid in best
        ]

    def search_documents(self, query: str, k: int = 10, filters: Filters | None = None, passages: int = 2) -> list[DocumentHit]:
        """Precedent search: the documents whose passages match best, each with its best passages and the matching terms."""
        hits = self.search(query, max(self.settings.candidates, k * 3), filters)
        by_doc: dict[str, list[Hit]] = {}
        for hit in hits:
            by_doc.setdefault(hit.chunk.doc_id, []).append(hit)
        terms = sorted(set(tokenize(query)), key=len, reverse=True)
        ranked = sorted(by_doc.values(), key=lambda group: _document_score(group), reverse=True)[:k]
        return [
            DocumentHit(
                doc_id=group[0].chunk.doc_id,
                metadata=group[0].meta,
                score=_document_score(group),
                passages=group[:passages],
                terms=[t for t in terms if any(t in h.chunk.text for h in group[:passages])],
            )
            for group in ranked
        ]

    def coverage(self, query_tokens: list[str], chunk: StoredChunk) -> float:
        """IDF-weighted share of the question's terms found in the chunk, its section or its title."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        haystack = searchable_text(chunk).lower()  # query tokens are lower-cased too
        weights = {t: self._keywords.idf(t) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in haystack) / total if total else 0.0


@dataclass(frozen=True)
class DocumentHit:
    """A whole reply found by precedent search."""

    doc_id: str
    metadata: dict
    score: float
    passages: list[Hit]
    terms: list[str]


def _document_score(group: list[Hit]) -> float:
    """A document's best passage, plus a little for each further passage that matched: several hits mean one subject."""
    return group[0].score + 0.25 * sum(h.score for h in group[1:3])


def mark_terms(text: str, terms: list[str]) -> str:
    """The text with each matching term wrapped in 【】, longest terms first so that they stay whole."""
    if not terms:
        return text
    return re.sub("|".join(re.escape(t) for t in terms), lambda m: f"【{m.group(0)}】", text)


def searchable_text(chunk: StoredChunk) -> str:
    """The words a chunk can be found by: its title and section path with its text."""
    return "\n".join((str(chunk.metadata.get("title", "")), str(chunk.metadata.get("section", "")), chunk.text))
