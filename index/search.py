"""Hybrid retrieval: dense (Chroma) and BM25 (jieba) ranks fused by reciprocal rank, with metadata filters."""

from __future__ import annotations

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

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        """The k best chunks for query, best first."""
        k = k or self.settings.top_k
        if not self._chunks or not query.strip():
            return []
        n = min(self.settings.candidates, len(self._chunks))
        dense_hits = self.store.nearest_chunks(self.embedder.embed_query(query), n)
        dense_hits = [h for h in dense_hits if h.chunk_id in self._position]
        tokens = tokenize(query)
        bm25 = self._keywords.scores(tokens)
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

    def coverage(self, query_tokens: list[str], chunk: StoredChunk) -> float:
        """IDF-weighted share of the question's terms found in the chunk, its section or its title."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        haystack = searchable_text(chunk)
        weights = {t: self._keywords.idf(t) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in haystack) / total if total else 0.0


def searchable_text(chunk: StoredChunk) -> str:
    """The words a chunk can be found by: its title and section path with its text."""
    return "\n".join((str(chunk.metadata.get("title", "")), str(chunk.metadata.get("section", "")), chunk.text))
