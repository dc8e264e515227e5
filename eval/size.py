"""Index size against search speed, memory, disk and liveness: Dafu's hybrid search (Chroma's vectors, the tantivy
keyword index, fusion) over 10k, 100k and 1M chunks, with Chroma embedded and as a server, side by side.

    python -m eval.size [--scales 10000 100000 1000000] [--modes embedded server] [--queries 100]
                        [--out eval/results/size.json] [--compare OLD.json]

The texts are real: the Teddy export's replies, read, parsed and chunked by the index builder, then copied under new
ids as often as a scale needs. The vectors are synthetic (random unit vectors of the embedder's size), so nothing is
embedded and the dense ranks mean nothing: this measures the index, not the quality of retrieval. Random vectors are
the hardest case for Chroma's HNSW graph, so its times are if anything pessimistic. The queries are the
corpus questions. Searching runs in a fresh process per scale and mode, so its memory is what an app holding that
index needs (the models aside); opening the index and the first search are timed in that fresh process, the other
searches warm (after a few unmeasured ones). The keyword index is built in a fresh process too (its time and peak
memory: caught up with the store from nothing). Then one reply is uploaded through an app instance's builder and
removed again: the seconds from the end of each until a search finds the reply by its words (or no longer finds it),
in that instance and, on a server, in a second instance on this machine (each its own process, sharing the keyword
folder as instances on one machine do).

Both modes of a scale share one folder, eval/runs/size-<scale> (a Chroma server stores in the embedded client's
format), so the mode run second measures what the first stored. An index that already holds its chunks is measured
again without refilling (1M chunks take a while to store), and one holding fewer is topped up (a smaller scale's
folder renamed grows into a larger one); the figures of filling and building are then kept from the earlier run in
--out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import psutil
from chromadb.api.shared_system_client import SharedSystemClient
from tqdm import tqdm

from eval.benchmark import load_earlier, print_table, save
from eval.chroma_server import ChromaServer
from eval.teddy import RUNS, TEDDY, teddy_settings
from index.build import IndexBuilder
from index.keyword_index import open_keyword_index
from index.search import Searcher
from index.store import DocumentRecord, ReplyStore, StoredChunk
from settings import PROJECT_ROOT, Settings

DIMENSIONS = 384  # the bundled embedder's
QUESTIONS = PROJECT_ROOT / "eval" / "data" / "questions_corpus.jsonl"
_BATCH = 4000
_WARM_UP = 5
# Figures of filling and of building the keyword index, kept from an earlier run when those steps are not run again.
_BUILD_FIGURES = ("fill_chunks_per_s", "keywords_build_s", "keywords_build_peak_mb")


class RandomEmbedder:
    """A unit vector per text, the same for the same text: the embedder's shape without its cost or meaning."""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, DIMENSIONS), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vector = np.random.default_rng(zlib.crc32(text.encode("utf-8"))).standard_normal(DIMENSIONS).astype(np.float32)
        return vector / np.linalg.norm(vector)


def base_chunks() -> tuple[list[DocumentRecord], list[StoredChunk]]:
    """The Teddy replies as the builder reads and chunks them (under eval/runs/size-base, built once, no embedding)."""
    settings = teddy_settings().model_copy(update={"data_dir": RUNS / "size-base"})
    store = ReplyStore(settings)
    IndexBuilder(settings, store, RandomEmbedder()).build([TEDDY])
    return store.all_documents(with_text=True), store.committed_chunks()


def fill(store: ReplyStore, records: list[DocumentRecord], chunks: list[StoredChunk], scale: int) -> float:
    """Copies of the base replies under new ids until the store holds scale chunks, after those it holds already;
    returns chunks stored per second (into an index already that large, when it held some)."""
    by_doc: dict[str, list[StoredChunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    rng = np.random.default_rng(0)
    held = stored = store.chunks.count()
    started = time.perf_counter()
    bar = tqdm(total=scale, initial=held, desc=f"filling {scale:,}", unit="chunk")
    copy = 0
    # Copies are told apart by the count their fill started from too: a later fill reuses no id of an earlier one.
    tag = f"{held}+" if held else ""
    batch_records, ids, texts, metadatas = [], [], [], []  # a batch may span copies: it is stored when full
    while stored < scale:
        for record in records:
            own = by_doc.get(record.doc_id, [])[: scale - stored - len(ids)]
            if not own:
                continue
            doc_id = f"{record.doc_id}~{tag}{copy}"
            files = {f"{source}~{tag}{copy}": digest for source, digest in record.files.items()}
            batch_records.append(DocumentRecord(doc_id, record.fields, files, len(own), record.chars, record.text))
            ids += [f"{c.chunk_id}~{tag}{copy}" for c in own]
            texts += [c.text for c in own]
            metadatas += [{**c.metadata, "doc_id": doc_id} for c in own]
            if len(ids) >= _BATCH or stored + len(ids) >= scale:
                vectors = rng.standard_normal((len(ids), DIMENSIONS)).astype(np.float32)
                store.add_chunks(ids, texts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), metadatas)
                store.commit_documents(batch_records)
                stored += len(ids)
                bar.update(len(ids))
                batch_records, ids, texts, metadatas = [], [], [], []
            if stored >= scale:
                break
        copy += 1
    bar.close()
    store.publish_changes()
    return (stored - held) / (time.perf_counter() - started)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def peak_mb() -> int:
    """This process's peak resident memory. Not getrusage's ru_maxrss: a child started by fork and exec inherits the
    parent's peak in it, and this benchmark's parent holds the base chunks."""
    status = Path("/proc/self/status").read_text()
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    return round(float(np.percentile(seconds, 50)) * 1000, 1), round(float(np.percentile(seconds, 95)) * 1000, 1)


def measure(settings: Settings, queries: list[str]) -> dict:
    """In this fresh process: open the index (the keyword index mapped and checked against the store's change log),
    run a first search (Chroma loads its vectors then), then time warm searches, and the dense and the keyword side
    alone."""
    started = time.perf_counter()
    searcher = Searcher(settings, ReplyStore(settings), RandomEmbedder())
    chunks = searcher.keywords.size
    opened = time.perf_counter() - started
    started = time.perf_counter()
    searcher.search(queries[0])
    first = time.perf_counter() - started
    n = settings.candidates
    timed: dict[str, list[float]] = {"search": [], "dense": [], "keyword": []}
    for i, query in enumerate(queries):
        steps = {
            "search": lambda q=query: searcher.search(q),
            "dense": lambda q=query: searcher.dense_ranking(q, n),
            "keyword": lambda q=query: searcher.keyword_ranking(q, n),
        }
        for name, step in steps.items():
            begun = time.perf_counter()
            step()
            if i >= _WARM_UP:
                timed[name].append(time.perf_counter() - begun)
    figures = {"chunks": chunks, "open_s": round(opened, 1), "first_search_s": round(first, 2)}
    for name, seconds in timed.items():
        figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = percentiles(seconds)
    figures["app_rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    figures["app_peak_mb"] = peak_mb()
    return figures


def serve_instance(settings: Settings, uploads: Path) -> None:
    """In this fresh process, an app instance's index side: open it, then follow the orders on stdin (one JSON line
    each: upload a reply, remove the reply holding a word, wait until a word is found or gone), a JSON line each."""
    searcher = Searcher(settings, ReplyStore(settings), RandomEmbedder())
    _ = searcher.keywords
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        if order["do"] == "upload":
            uploads.mkdir(parents=True, exist_ok=True)
            (uploads / "upload.txt").write_text(order["text"], encoding="utf-8")
            began = time.perf_counter()
            IndexBuilder(settings, searcher.store, searcher.embedder).build([uploads])
            done = {"upload_s": round(time.perf_counter() - began, 1), "at": time.time()}
        elif order["do"] == "remove":
            doc_ids = list({h.chunk.doc_id for h in searcher.search(order["word"], 5) if order["word"] in h.chunk.text})
            began = time.perf_counter()
            IndexBuilder(settings, searcher.store, searcher.embedder).remove(doc_ids)
            done = {"remove_s": round(time.perf_counter() - began, 1), "at": time.time()}
        else:  # wait until the word is found (by its keywords, in a search) or gone, since the moment given
            done = {"s": round(_wait_for(searcher, order["word"], order["found"]) - order["since"], 2)}
        done["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
        print(json.dumps(done), flush=True)


def _wait_for(searcher: Searcher, word: str, found: bool, patience_s: float = 600) -> float:
    """The time at which a search first finds the word by its keywords (or, if not found, no longer finds it at all)."""
    deadline = time.time() + patience_s
    while time.time() < deadline:
        hits = [h for h in searcher.search(word, 5) if word in h.chunk.text]
        keyword = searcher.keyword_ranking(word, 5)
        if (found and any(h.keyword > 0 for h in hits)) or (not found and not hits and not keyword):
            return time.time()
        time.sleep(0.05)
    raise RuntimeError(f"{word!r} not {'found' if found else 'gone'} within {patience_s} s")


class _Instance:
    """An app instance's index side in its own process (serve_instance), given orders."""

    def __init__(self, scale: int, mode: str, port: int) -> None:
        command = [sys.executable, "-m", "eval.size", "--instance", str(scale), mode, str(port)]
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.answer()

    def order(self, **order: object) -> None:
        self.process.stdin.write(json.dumps(order, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"an instance of eval.size ended (exit {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def live(scale: int, mode: str, port: int) -> dict:
    """One reply uploaded through an instance and removed again: the seconds from the end of each until a search
    finds it by its words (or no longer finds it) in that instance and, on a server, in a second one on this machine."""
    instances = [_Instance(scale, mode, port) for _ in range(2 if mode == "server" else 1)]
    try:
        word = f"{time.time_ns() % 10**12:012d}"  # a word no reply holds: a new reply each run
        instances[0].order(do="upload", text=_UPLOAD.format(word=word))
        figures = instances[0].answer()
        at = figures.pop("at")
        for instance in instances:
            instance.order(do="wait", word=word, found=True, since=at)
        for name, instance in zip(("same", "other"), instances, strict=False):
            figures[f"upload_found_{name}_s"] = instance.answer()["s"]
        instances[0].order(do="remove", word=word)
        removed = instances[0].answer()
        figures["remove_s"], at = removed["remove_s"], removed["at"]
        for instance in instances:
            instance.order(do="wait", word=word, found=False, since=at)
        for name, instance in zip(("same", "other"), instances, strict=False):
            answer = instance.answer()
            figures[f"removal_gone_{name}_s"] = answer["s"]
            figures[f"instance_{name}_rss_mb"] = answer["rss_mb"]
        return {k: v for k, v in figures.items() if k != "rss_mb"}
    finally:
        for instance in instances:
            instance.close()


_UPLOAD = """关于银杏路口袋公园建设的建议的答复

王代表：
    您提出的建议收悉，现答复如下：银杏路口袋公园（项目编号 {word}）已列入城市更新项目，计划于2025年6月30日前建成开放。
    感谢您对城市建设工作的关心和支持。

南湖区城市管理局
2025年3月10日
"""


def scale_settings(scale: int, mode: str, port: int = 0) -> Settings:
    """Both modes of a scale share its folder, so the keyword index built for the first is loaded by the second."""
    data_dir = RUNS / f"size-{scale}"
    settings = teddy_settings().model_copy(update={"data_dir": data_dir, "collection": "size"})
    if mode == "server":
        settings = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})
    return settings


def run_scale(scale: int, mode: str, base: tuple[list[DocumentRecord], list[StoredChunk]], queries: int, earlier: dict) -> dict:
    """Fill this scale's index in this mode up to scale chunks, build (or load) its keyword index in a fresh process,
    then measure searching from another; figures of a step not run again are kept from earlier."""
    chroma_dir = RUNS / f"size-{scale}" / "chroma"
    chroma_dir.mkdir(parents=True, exist_ok=True)
    server = ChromaServer(chroma_dir) if mode == "server" else None
    figures = {k: v for k, v in earlier.items() if k in _BUILD_FIGURES}
    try:
        if server:
            server.start()
        settings = scale_settings(scale, mode, server.port if server else 0)
        store = ReplyStore(settings)
        if store.chunks.count() > scale:
            for collection in (store.chunks, store.documents, store.state):
                store.client.delete_collection(collection.name)
            store = ReplyStore(settings)
        if store.chunks.count() < scale:
            figures["fill_chunks_per_s"] = round(fill(store, *base, scale))
        keyword_folder = store.keyword_folder
        del store
        SharedSystemClient.clear_system_cache()  # an embedded folder is opened by one process at a time
        if server:  # its memory then is that of serving this index, not of having stored it
            server.stop()
            server.start()
        port = str(server.port if server else 0)
        keywords = _in_fresh_process("--keywords", str(scale), mode, port)
        if keywords.pop("built"):
            figures |= keywords
        figures |= _in_fresh_process("--measure", str(scale), mode, port, str(queries))
        figures |= live(scale, mode, int(port))
        if server:
            figures["server_rss_mb"] = round(psutil.Process(server.process.pid).memory_info().rss / 2**20)
    finally:
        if server:
            server.stop()
    figures["chroma_disk_mb"] = round(folder_mb(chroma_dir))
    figures["keywords_disk_mb"] = round(folder_mb(keyword_folder))
    return figures


def build_keywords(settings: Settings) -> dict:
    """In this fresh process: the keyword index caught up with the store, from nothing the first time."""
    store = ReplyStore(settings)
    started = time.perf_counter()
    keywords = open_keyword_index(store.keyword_folder)
    changed = keywords.catch_up(store)
    return {
        "built": changed > 0,
        "keywords_build_s": round(time.perf_counter() - started, 1),
        "keywords_build_peak_mb": peak_mb(),
    }


def _in_fresh_process(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "eval.size", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"eval.size {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def question_texts(limit: int) -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][: limit + _WARM_UP]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.size", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", choices=["embedded", "server"], default=["embedded", "server"])
    parser.add_argument("--queries", type=int, default=100, help="warm searches timed per scale and mode")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "size.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)  # scale mode port queries: the fresh process
    parser.add_argument("--keywords", nargs=3, help=argparse.SUPPRESS)  # scale mode port: the fresh process
    parser.add_argument("--instance", nargs=3, help=argparse.SUPPRESS)  # scale mode port: an app instance
    args = parser.parse_args(argv)
    most = len(question_texts(10**6)) - _WARM_UP
    if not 1 <= args.queries <= most:
        parser.error(f"--queries: between 1 and {most} (the questions of {QUESTIONS.name})")

    if args.measure:
        scale, mode, port, queries = args.measure
        print(json.dumps(measure(scale_settings(int(scale), mode, int(port)), question_texts(int(queries)))))
        return 0
    if args.keywords:
        scale, mode, port = args.keywords
        print(json.dumps(build_keywords(scale_settings(int(scale), mode, int(port)))))
        return 0
    if args.instance:
        scale, mode, port = args.instance
        serve_instance(scale_settings(int(scale), mode, int(port)), RUNS / f"size-{scale}" / "uploads")
        return 0

    base = base_chunks()
    print(f"base: {len(base[0])} Teddy replies in {len(base[1])} chunks, copied up to each scale")
    earlier = load_earlier(args.compare) or {}
    kept = load_earlier(args.out) if args.out.exists() else {}
    results: dict[str, dict] = {}
    for scale in args.scales:
        for mode in args.modes:
            name = f"{scale:,} {mode}"
            results[name] = run_scale(scale, mode, base, args.queries, kept.get(name, {}))
            save(args.out, {**kept, **results})  # kept as it grows: 1M chunks take a while
            print(f"{name}: {results[name]}", flush=True)
    names = list(results)
    rows: dict[str, dict[str, object]] = {}
    for name in names:
        for figure, value in results[name].items():
            was = earlier.get(name, {}).get(figure)
            rows.setdefault(figure, {})[name] = value if was is None else f"{value} ({was})"
    print()
    print_table("figure (earlier run)", rows, names)
    print("goal at 1,000,000 chunks: a fresh app's first search within 10 s (open + first search), an upload found")
    print("within 30 s in every instance, app memory at most 1.5 GB, search p95 at most 50 ms")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
