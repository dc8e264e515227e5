"""Today's keyword index (bm25s, rebuilt whole) against tantivy segments (index/keyword_segments.py), on the same tokens:
building, opening in a fresh process, adding and removing one reply, query latency, disk, and whether they rank alike.

    python -m eval.keyword_engines [--scale 100000] [--out eval/results/keyword_engines.json]

The chunks are the Teddy replies as the builder reads and chunks them, reply only (eval/size.py's base, under
eval/runs/size-base, nothing embedded); --scale copies them under new ids, as eval/size.py does, for the figures at that
size. Building, opening and changing run in a fresh process each, so their times and memory are their own. bm25s has
no way to add or remove: today a change of the chunks rebuilds the whole index and saves it, which is what its add and
remove rows time. The queries are the corpus questions and the Teddy subjects (test half); quality is the keyword
ranking alone: its overlap at 10 between the engines, and subject R@10 / MRR as eval/retrieval.py's bm25 row measures
them (the message's own reply among the first 10 replies).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil

from eval.benchmark import print_table, save
from eval.retrieval import DEPTH, documents_in_order, score, teddy_queries
from eval.size import QUESTIONS, base_chunks, folder_mb, percentiles
from eval.teddy import RUNS
from index.keyword_segments import KeywordSegments
from index.keywords import KeywordIndex, add_terms, quoted_terms
from settings import PROJECT_ROOT

ENGINES = ("bm25s", "tantivy")
FOLDERS = RUNS / "keyword-engines"
CANDIDATES = 30  # settings.candidates: how many chunks the keyword side hands to fusion
_FINGERPRINT = "keyword-engines"

Chunk = tuple[str, str, str]  # chunk_id, doc_id, searchable_text


def corpus(scale: int) -> list[Chunk]:
    """The Teddy chunks, copied under new ids (~1, ~2, ...) up to scale chunks when scale is larger."""
    chunks = [(c.chunk_id, c.doc_id, c.searchable_text) for c in base_chunks()[1]]
    copies = [[(f"{i}~{k}", f"{d}~{k}", t) for i, d, t in chunks] for k in range(1, -(-scale // len(chunks)))]
    return (chunks + [c for copy in copies for c in copy])[: max(scale, len(chunks))]


def one_reply(chunks: list[Chunk]) -> list[Chunk]:
    """A reply not in the index yet: the first one's chunks under a new id."""
    first = chunks[0][1]
    return [(f"{i}~new", f"{d}~new", t) for i, d, t in chunks if d == first]


def queries() -> dict[str, list[str]]:
    corpus_questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    return {"corpus questions": corpus_questions, "Teddy subjects": [q.subject for q in teddy_queries("test")]}


class Bm25s:
    """Today's KeywordIndex as the app uses it: saved to a folder, loaded whole, every change a rebuild."""

    def __init__(self, folder: Path, chunks: list[Chunk] | None = None) -> None:
        self.folder = folder
        self.ids = [c[0] for c in chunks] if chunks else json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        self.index = KeywordIndex.load(folder, _FINGERPRINT) if chunks is None else None

    def build(self, chunks: list[Chunk]) -> None:
        self.index = KeywordIndex.build([t for _, _, t in chunks])
        self.index.save(self.folder, _FINGERPRINT, quoted_terms(t for _, _, t in chunks))
        self.ids = [c[0] for c in chunks]
        (self.folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        scores = self.index.scores(query)
        best = np.argpartition(-scores, n - 1)[:n]
        return [(self.ids[i], float(scores[i])) for i in sorted(best, key=lambda i: -scores[i]) if scores[i] > 0]


class Tantivy:
    def __init__(self, folder: Path, chunks: list[Chunk] | None = None) -> None:
        self.index = KeywordSegments(folder)

    def build(self, chunks: list[Chunk]) -> None:
        self.index.add(chunks)
        self.index.commit()

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        return self.index.search(query, n)


def folder(engine: str, scale: int) -> Path:
    return FOLDERS / f"{engine}-{scale}"


def step_build(engine: str, scale: int) -> dict:
    """In a fresh process: the chunks read, then the index built and saved from nothing."""
    chunks = corpus(scale)
    add_terms(quoted_terms(t for _, _, t in chunks))  # both engines tokenise with the same vocabulary
    where = folder(engine, scale)
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    started = time.perf_counter()
    engine_class(engine)(where, chunks).build(chunks)
    return {
        "chunks": len(chunks),
        "build_s": round(time.perf_counter() - started, 1),
        "build_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "disk_mb": round(folder_mb(where), 1),
    }


def step_use(engine: str, scale: int) -> dict:
    """In a fresh process: open the saved index, search (first, then timed), then add one reply and remove it."""
    texts = queries()
    before = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    index = engine_class(engine)(folder(engine, scale))
    opened = time.perf_counter() - started
    rss = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    index.search(texts["corpus questions"][0], CANDIDATES)
    first = time.perf_counter() - started
    seconds, rankings = [], {}
    for kind, questions in texts.items():
        for question in questions:
            begun = time.perf_counter()
            found = index.search(question, CANDIDATES)
            seconds.append(time.perf_counter() - begun)
            rankings.setdefault(kind, []).append([chunk_id for chunk_id, _ in found])
    figures = {"open_s": round(opened, 2), "open_rss_mb": round(rss), "open_added_mb": round(rss - before)}
    figures["first_query_ms"] = round(first * 1000, 1)
    figures["query_p50_ms"], figures["query_p95_ms"] = percentiles(seconds)
    figures |= change_one(engine, index, scale)
    return {"figures": figures, "rankings": rankings}


def change_one(engine: str, index: Bm25s | Tantivy, scale: int) -> dict[str, float]:
    """Seconds to add one reply and to remove it again until a search sees the change."""
    chunks = corpus(scale) if engine == "bm25s" else []
    reply = one_reply(chunks or corpus(scale))
    timed = {}
    for change in ("add", "remove"):
        started = time.perf_counter()
        if engine == "bm25s":  # today: the whole index built again from the changed chunks
            index.build(chunks + reply if change == "add" else chunks)
        elif change == "add":
            index.index.add(reply)
            index.index.commit()
        else:
            index.index.remove_documents([reply[0][1]])
            index.index.commit()
        timed[f"{change}_one_s"] = round(time.perf_counter() - started, 3)
    return timed


def engine_class(engine: str) -> type[Bm25s] | type[Tantivy]:
    return Bm25s if engine == "bm25s" else Tantivy


def overlap(a: list[list[str]], b: list[list[str]], depth: int = 10) -> float:
    """Mean share of one engine's top `depth` that the other's holds too (of the longer list when few match)."""
    shares = [len(set(x[:depth]) & set(y[:depth])) / max(1, len(x[:depth]), len(y[:depth])) for x, y in zip(a, b, strict=True)]
    return round(sum(shares) / len(shares), 3)


def subject_quality() -> dict[str, dict]:
    """Keyword-only R@1/5/10 and MRR of each engine on the Teddy test half (eval/retrieval.py's bm25 row)."""
    chunks = corpus(0)
    doc_of = {chunk_id: doc_id for chunk_id, doc_id, _ in chunks}
    add_terms(quoted_terms(t for _, _, t in chunks))
    tested = teddy_queries("test")
    figures = {}
    for engine in ENGINES:
        index = engine_class(engine)(folder(engine, len(chunks)))
        for kind in ("subject", "full text"):
            row, _ = score(
                lambda q, index=index: documents_in_order([doc_of[i] for i, _ in index.search(q, CANDIDATES)])[:DEPTH],
                tested,
                kind,
                engine,
            )
            figures[f"{engine} / {kind}"] = {k: round(v, 3) for k, v in row.items()}
    return figures


def fresh(step: str, engine: str, scale: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "eval.keyword_engines", "--step", step, engine, str(scale)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"eval.keyword_engines --step {step} {engine} {scale} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.keyword_engines", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000, help="chunks of the larger run (0: the Teddy chunks only)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "keyword_engines.json")
    parser.add_argument("--step", nargs=3, help=argparse.SUPPRESS)  # step engine scale: the fresh process
    args = parser.parse_args(argv)
    if args.step:
        step, engine, scale = args.step
        result = step_build(engine, int(scale)) if step == "build" else step_use(engine, int(scale))
        print(json.dumps(result, ensure_ascii=False))
        return 0

    teddy = len(corpus(0))
    results: dict[str, dict] = {"figures": {}}
    rankings = {}
    for scale in [teddy] + ([args.scale] if args.scale > teddy else []):
        for engine in ENGINES:
            name = f"{engine} at {scale:,}"
            built = fresh("build", engine, scale)
            used = fresh("use", engine, scale)
            results["figures"][name] = built | used["figures"]
            if scale == teddy:
                rankings[engine] = used["rankings"]
            save(args.out, results)
            print(f"{name}: {results['figures'][name]}", flush=True)
    results["overlap@10"] = {kind: overlap(rankings["bm25s"][kind], rankings["tantivy"][kind]) for kind in rankings["bm25s"]}
    results["quality"] = subject_quality()
    save(args.out, results)

    columns = ["chunks", "build_s", "build_peak_mb", "disk_mb", "open_s", "open_rss_mb", "open_added_mb", "first_query_ms"]
    columns += ["query_p50_ms", "query_p95_ms", "add_one_s", "remove_one_s"]
    print()
    print_table("engine", results["figures"], columns[:7])
    print()
    print_table("engine", results["figures"], columns[7:])
    print()
    shared = {kind: {"overlap@10": share} for kind, share in results["overlap@10"].items()}
    print_table("keyword top 10, bm25s vs tantivy", shared, ["overlap@10"])
    print()
    print_table("keyword only, Teddy test half", results["quality"], ["R@1", "R@5", "R@10", "MRR"])
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
