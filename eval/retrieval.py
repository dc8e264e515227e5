"""Retrieval on the Teddy export: each message's subject (and, separately, its full text) is a query whose target
is that message's own reply, indexed alone. Recall@1/5/10 and MRR@10 of BM25, dense, plain RRF, Dafu's document
search and a plain llama-index baseline, side by side, with search latency at the corpus size and at scale.

    python -m eval.retrieval [--half test|tune] [--scale 100000] [--reach] [--out eval/results/retrieval.json] [--compare OLD]

Rows are split by position: even rows tune, odd rows test; report the test half. The Teddy index is built
under eval/runs/ on first use (python -m eval.ingest_speed builds the same one and times it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from tqdm import tqdm

from eval.benchmark import load_earlier, print_table, save
from eval.teddy import RUNS, TEDDY, build_teddy_index, teddy_settings
from index.build import text_id
from index.embedder import Embedder, load_embedder
from index.readers import read_table
from index.search import Searcher, reciprocal_rank_fusion
from index.store import DocumentRecord, ReplyStore
from settings import PROJECT_ROOT, Settings, TableColumns
from text.normalize import normalize_text

DEPTH = 10
QUERY_KINDS = ("subject", "full text")


@dataclass(frozen=True)
class Query:
    subject: str
    text: str
    target: str  # doc_id of the message's own reply
    reply_chars: int

    def of_kind(self, kind: str) -> str:
        return self.subject if kind == "subject" else self.text


def teddy_queries(half: str) -> list[Query]:
    """One query per message with a reply, read by the index's own reader; even rows tune, odd rows test."""
    messages, _ = read_table(TEDDY, TableColumns())
    queries = []
    for n, message in enumerate(messages):
        if (n % 2 == 0) == (half == "tune"):
            reply = normalize_text(message.text)
            subject, text = message.fields.get("title", ""), normalize_text(message.fields.get("question", ""))
            queries.append(Query(subject, text, text_id(reply), len(reply)))
    return queries


def documents_in_order(chunk_doc_ids: list[str]) -> list[str]:
    """Documents in the order their first chunk appears."""
    return list(dict.fromkeys(chunk_doc_ids))


class RememberedQueries:
    """The embedder, with each query embedded once: the methods after the first are then not charged for it."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder, self.name, self.seen = embedder, embedder.name, {}

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self.seen:
            self.seen[text] = self.embedder.embed_query(text)
        return self.seen[text]


class Methods:
    """Each retrieval method as query -> ranked doc_ids."""

    def __init__(self, searcher: Searcher, settings: Settings, embedder: Embedder) -> None:
        self.searcher, self.settings, self.embedder = searcher, settings, embedder

    def _documents(self, ranking: list[tuple[str, str, float]]) -> list[str]:
        """The documents of a ranking of (chunk, doc_id, score), in the order their first chunk appears."""
        return documents_in_order([doc_id for _, doc_id, _ in ranking])

    def bm25(self, query: str) -> list[str]:
        return self._documents(self.searcher.keyword_ranking(query, self.settings.candidates))

    def dense(self, query: str) -> list[str]:
        return self._documents(self.searcher.dense_ranking(query, self.settings.candidates))

    def plain_rrf(self, query: str) -> list[str]:
        n = self.settings.candidates
        rankings = [self.searcher.dense_ranking(query, n), self.searcher.keyword_ranking(query, n)]
        doc_of = {chunk: doc_id for ranking in rankings for chunk, doc_id, _ in ranking}
        fused = reciprocal_rank_fusion([[(c, score) for c, _, score in ranking] for ranking in rankings], [1.0, 1.0])
        return documents_in_order([doc_of[chunk] for chunk, _ in fused])

    def dafu(self, query: str) -> list[str]:
        return [d.doc_id for d in self.searcher.search_documents(query, DEPTH)]

    def llama_index(self, query: str) -> list[str]:
        return documents_in_order([node.node.ref_doc_id for node in self._llama_retriever.retrieve(query)])

    def reach(self, queries: list[Query], kind: str, depths: tuple[int, ...] = (10, 20, 50)) -> dict[str, float]:
        """Share of queries whose reply is among the first `depth` replies of BM25 or of dense: what a fusion of the
        two draws on. A fused top 10 gets past the depth-10 share only by promoting replies that both rank lower."""
        found = dict.fromkeys(depths, 0)
        n = 4 * max(depths)  # passages enough for that many replies
        for query in tqdm(queries, desc=f"reach / {kind}", unit="q", leave=False):
            text = query.of_kind(kind)
            ranked = [
                self._documents(self.searcher.dense_ranking(text, n)),
                self._documents(self.searcher.keyword_ranking(text, n)),
            ]
            for depth in depths:
                found[depth] += any(query.target in docs[:depth] for docs in ranked)
        return {f"R@{depth}": round(k / len(queries), 3) for depth, k in found.items()}

    @cached_property
    def _llama_retriever(self):
        return llama_index_baseline(self.embedder, self.searcher.store).as_retriever(similarity_top_k=3 * DEPTH)


def llama_index_baseline(embedder: Embedder, store: ReplyStore):
    """A plain llama-index VectorStoreIndex (default SentenceSplitter, same embedder), kept under eval/runs."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.embeddings import BaseEmbedding

    class SameEmbedder(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

    LlamaSettings.llm = None
    LlamaSettings.embed_model = SameEmbedder(model_name=embedder.name, embed_batch_size=64)
    persisted = RUNS / "teddy-llama-index"
    if (persisted / "docstore.json").exists():
        return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(persisted)))
    records: list[DocumentRecord] = store.all_documents(with_text=True)
    documents = [Document(text=r.text, doc_id=r.doc_id) for r in records]
    index = VectorStoreIndex.from_documents(documents, show_progress=True)
    index.storage_context.persist(persist_dir=str(persisted))
    return index


def score(method: Callable[[str], list[str]], queries: list[Query], kind: str, label: str) -> tuple[dict, list[float]]:
    """Recall@1/5/10 and MRR@10 of one method on one kind of query, and each query's seconds."""
    ranks, seconds = [], []
    for query in tqdm(queries, desc=f"{label} / {kind}", unit="q", leave=False):
        started = time.perf_counter()
        found = method(query.of_kind(kind))[:DEPTH]
        seconds.append(time.perf_counter() - started)
        ranks.append(found.index(query.target) + 1 if query.target in found else None)
    n = len(ranks)
    figures = {f"R@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 5, 10)}
    figures["MRR"] = sum(1 / r for r in ranks if r) / n
    return figures, seconds


def latency(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {"p50 ms": round(statistics.median(ms), 1), "p95 ms": round(ms[int(0.95 * (len(ms) - 1))], 1)}


def scaled_searcher(base: ReplyStore, settings: Settings, embedder: Embedder, target_chunks: int) -> Searcher:
    """The Teddy chunks replicated to target_chunks (vectors jittered, so the HNSW graph is not degenerate)."""
    scaled = settings.model_copy(update={"data_dir": RUNS / f"teddy-{settings.chunk_chars}-scale-{target_chunks}"})
    store = ReplyStore(scaled)
    if store.chunks.count() < target_chunks:
        got = base.chunks.get(include=["embeddings", "documents", "metadatas"])
        records = base.all_documents(with_text=True)
        rng = np.random.default_rng(0)
        copies = -(-target_chunks // len(got["ids"]))
        for copy in tqdm(range(copies), desc="replicating", unit="copy"):
            vectors = np.asarray(got["embeddings"]) + rng.normal(0, 0.02, (len(got["ids"]), len(got["embeddings"][0])))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            metadatas = [{**m, "doc_id": f"{m['doc_id']}~{copy}"} for m in got["metadatas"]]
            store.add_chunks([f"{i}~{copy}" for i in got["ids"]], got["documents"], vectors.astype(np.float32), metadatas)
            store.commit_documents([replace(r, doc_id=f"{r.doc_id}~{copy}") for r in records])
        store.publish_changes()
    return Searcher(scaled, store, embedder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.retrieval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--half", choices=("test", "tune"), default="test")
    parser.add_argument("--limit", type=int, help="only the first N queries of the half (a quick look)")
    # dafu first: its latency includes embedding each query, which the later methods reuse.
    parser.add_argument("--methods", default="dafu,bm25,dense,plain_rrf,llama_index")
    parser.add_argument(
        "--min-reply-chars", type=int, default=0, help="only messages whose reply has at least this many characters"
    )
    parser.add_argument("--kinds", default=",".join(QUERY_KINDS), help="subject, full text, or both")
    parser.add_argument("--reach", action="store_true", help="also the share of replies within either retriever's top 10/20/50")
    parser.add_argument("--scale", type=int, default=100_000, help="chunks for the latency at scale (0: skip)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "retrieval.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    args = parser.parse_args(argv)

    settings = teddy_settings()
    embedder = RememberedQueries(load_embedder(settings))
    store, _ = build_teddy_index(settings, embedder)
    searcher = Searcher(settings, store, embedder)
    methods = Methods(searcher, settings, embedder)
    queries = [q for q in teddy_queries(args.half) if q.reply_chars >= args.min_reply_chars][: args.limit]
    searcher.search("预热", 1)  # jieba, BM25 and the model loaded outside any timing

    figures: dict[str, dict] = {}
    result = {
        "half": args.half,
        "queries": len(queries),
        "min_reply_chars": args.min_reply_chars,
        "chunk_chars": settings.chunk_chars,
        "figures": figures,
    }
    for kind in args.kinds.split(","):
        for name in args.methods.split(","):
            row, seconds = score(getattr(methods, name), queries, kind, name)
            timed = latency(seconds) if name == "dafu" else {}
            figures[f"{name} / {kind}"] = {**{k: round(v, 3) for k, v in row.items()}, **timed}
            save(args.out, result)  # row by row: a failure later loses nothing
        if args.reach:
            figures[f"bm25 or dense / {kind}"] = methods.reach(queries, kind)
    if args.scale:
        big = scaled_searcher(store, settings, embedder.embedder, args.scale)
        big.search("预热", 1)
        _, seconds = score(Methods(big, settings, embedder.embedder).dafu, queries[:300], "subject", f"dafu at {args.scale}")
        figures[f"dafu / subject at {big.keywords.size} chunks"] = latency(seconds)

    earlier = load_earlier(args.compare) or {}
    columns = ["R@1", "R@5", "R@10", "R@20", "R@50", "MRR", "p50 ms", "p95 ms"]
    subset = f", replies of {args.min_reply_chars}+ chars" if args.min_reply_chars else ""
    size = f"{store.chunks.count()} chunks of {len(store.all_documents())} replies"
    print(f"\n{len(queries)} queries ({args.half} half{subset}), {size}")
    print_table("method / query", figures, columns)
    print("baseline rows: bm25, dense, plain_rrf (before this issue: BM25 R@10 0.70, dense 0.73, RRF 0.76) and llama_index")
    if earlier:
        print_table("earlier run", {k: v for k, v in earlier.get("figures", {}).items() if k in figures}, columns)
    save(args.out, result)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
