"""Ingestion throughput on the Teddy export: documents/s, chunks/s and the time of each stage, beside the
embedder's own raw throughput on the same chunk texts (the ceiling).

    python -m eval.ingest_speed [--sample 200] [--out eval/results/ingest.json] [--compare OLD.json]

Builds a fresh index of the 2,816 replies under eval/runs/teddy-<chunk_chars> (about 15 minutes on 2 cores),
which the retrieval benchmark then reuses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eval.benchmark import load_earlier, print_and_save
from eval.teddy import build_teddy_index, teddy_settings
from index.build import STAGES, embedding_text
from index.embedder import Embedder, load_embedder
from settings import PROJECT_ROOT


def raw_chunks_per_second(embedder: Embedder, texts: list[str]) -> float:
    """The embedder alone on the same texts, one batch: what the build's embedding stage can at best reach."""
    started = time.perf_counter()
    embedder.embed_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.ingest_speed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=200, help="chunks embedded alone for the raw ceiling")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "ingest.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    args = parser.parse_args(argv)

    settings = teddy_settings()
    embedder = load_embedder(settings)
    store, report = build_teddy_index(settings, embedder, fresh=True)
    chunks = store.all_chunks()
    step = max(1, len(chunks) // args.sample)
    texts = [embedding_text(c.metadata.get("title", ""), c.metadata.get("section", ""), c.text) for c in chunks[::step]]
    ceiling = raw_chunks_per_second(embedder, texts)

    total = report.seconds
    figures = {
        "documents": report.documents_added,
        "chunks": report.chunks_added,
        "failed": len(report.failed),
        "total_s": round(total, 1),
        "documents_per_s": round(report.documents_added / total, 2),
        "chunks_per_s": round(report.chunks_added / total, 2),
        **{f"{stage}_s": round(report.timings[stage], 2) for stage in STAGES},
        "other_s": round(total - sum(report.timings.values()), 2),
        "not_embedding_share": round(1 - report.timings["embed"] / total, 3),
        "embed_chunks_per_s": round(report.chunks_added / report.timings["embed"], 2),
        "raw_ceiling_chunks_per_s": round(ceiling, 2),
        "embed_vs_ceiling": round(report.chunks_added / report.timings["embed"] / ceiling, 3),
        "chunk_chars": settings.chunk_chars,
        "threads": settings.threads,
    }
    ceiling = dict.fromkeys(("raw_ceiling_chunks_per_s", "embed_chunks_per_s"), figures["raw_ceiling_chunks_per_s"])
    note = "baseline: the embedder alone on a sample of the same chunk texts (the ceiling)"
    print_and_save("ingest of the Teddy export", figures, load_earlier(args.compare), ceiling, note, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
