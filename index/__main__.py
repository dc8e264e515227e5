"""Command line: python -m index build|search|status|list|remove|overview."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from settings import Settings, load_settings
from text.kinds import KINDS

if TYPE_CHECKING:
    from index.store import ReplyStore

_SHOWN_FAILURES = 20


def print_search(args: argparse.Namespace, settings, store) -> int:
    from index.filters import Filters
    from index.search import Searcher
    from text.dates import years

    filters = Filters(*years(args.years), args.office, args.kind, args.session, args.addressee)
    searcher = Searcher(settings, store)
    if args.docs:
        documents = searcher.search_documents(args.query, args.k or 10, filters)
        rows = [d.to_dict(n) for n, d in enumerate(documents, 1)]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        for row in [] if args.json else rows:
            about = " ".join(str(row[f]) for f in ("kind", "signing_office", "date"))
            print(f"[{row['rank']}] {row['score']:.4f} {row['title']}  {about}  ({row['source']})")
            if row["question"]:
                print(f"    问：{row['question'][:120]}")
            for passage in row["passages"]:
                print(f"    {passage['section']}\n      {passage['marked'][:200]}")
        return 0
    hits = searcher.search(args.query, args.k, filters)
    rows = [h.to_dict(n) for n, h in enumerate(hits, 1)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    for row in [] if args.json else rows:
        print(f"[{row['rank']}] {row['score']:.4f} {row['title']} ({row['source']}) {row['section']}")
        print(f"    {row['text'][:160]}")
    return 0


def print_status(settings: Settings, store: ReplyStore) -> None:
    """Documents, chunks, the last build and what it could not read."""
    from index.build import BuildReport
    from index.keyword_index import open_keyword_index

    docs = store.all_documents()
    print(f"index: {settings.chroma_host or settings.resolve(settings.data_dir)}  collection: {settings.collection}")
    print(f"documents: {len(docs)}  chunks: {store.chunks.count()}  embedder: {settings.embedder}")
    keywords = open_keyword_index(store.keyword_folder)
    changes = keywords.catch_up(store)
    caught_up = f" ({changes} documents caught up now)" if changes else ""
    print(f"keyword index: {keywords.size} chunks at {store.keyword_folder}{caught_up}")
    for record in (d for d in docs if d.fields.get("instructions")):
        print(f"  FLAGGED {'、'.join(record.sources)}: sentences addressing a model, left out of the chunks")
    last = BuildReport.last(store)
    if last is None:
        print("last build: none recorded")
        return
    print(f"last build: finished {last.finished}; {last.summary().splitlines()[0]}")
    for path, reason in last.failed[:_SHOWN_FAILURES]:
        print(f"  FAILED {path}: {reason}")
    if len(last.failed) > _SHOWN_FAILURES:
        print(f"  ... and {len(last.failed) - _SHOWN_FAILURES} more failures")


def print_overview(args: argparse.Namespace, settings: Settings, store: ReplyStore) -> int:
    """The overview's tables on the terminal, and as CSV and XLSX files in --out."""
    import time

    from index.filters import Filters
    from index.overview import FactsCache, overview, quality_totals
    from index.overview_tables import tables, write_tables
    from text.dates import years

    started = time.perf_counter()
    facts, vectors = FactsCache(store.overview_folder).current(store)
    view = overview(facts, vectors, Filters(*years(args.years), args.office, args.kind))
    seconds = time.perf_counter() - started
    shown = {"按年份": None, "按类型": None, "主要话题": 4, "热点问题": 5, "答复单位": None}
    for name, rows in tables(view).items():
        if name not in shown:
            continue
        print(f"\n== {name} ==")
        for row in rows[: args.rows + 1]:
            print("  ".join(str(cell) for cell in (row if shown[name] is None else row[: shown[name] + 1])))
    if said := quality_totals(view.replies).sentence():
        print(f"\n回复质量：{said}")
    print(f"\n{len(view.replies)} 件答复，{len(view.topics)} 个话题，{len(view.hot)} 个热点；用时 {seconds:.1f} 秒")
    if args.out:
        for path in write_tables(view, args.out):
            print(f"written {path}")
    return 0


def stop(signum: int, _frame: object) -> None:
    """SIGTERM ends a build as an interruption does (what is committed stays), with its locks let go on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    from index.store import IndexUnavailable

    signal.signal(signal.SIGTERM, stop)
    try:
        return run(argv)
    except (IndexUnavailable, ValueError) as error:  # a server that is down, a filter that cannot be read
        print(f"error: {error}", file=sys.stderr)
        return 2


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build and search the index of official replies.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="index files and folders (default: the configured corpus)")
    build.add_argument("paths", nargs="*", type=Path)
    build.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    search = sub.add_parser("search", help="print the best passages for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=None, help="how many passages")
    search.add_argument("--json", action="store_true")
    search.add_argument("--docs", action="store_true", help="precedent search: whole replies with their best passages")
    search.add_argument("--years", help="a year or a range, e.g. 2022 or 2021-2024")
    search.add_argument("--office", default="", help="signing office, e.g. 南湖区住房和建设局")
    search.add_argument("--kind", default="", choices=("", *KINDS))
    search.add_argument("--session", default="", help="e.g. 区八届人大第四次会议")
    search.add_argument("--addressee", default="", help="e.g. 丁长义代表")
    sub.add_parser("status", help="documents, chunks and where the index lives")
    sub.add_parser("list", help="one line per indexed document")
    remove = sub.add_parser("remove", help="remove documents by doc_id")
    remove.add_argument("doc_ids", nargs="+")
    summary = sub.add_parser("overview", help="what the replies are about, who answers them and how well (概览)")
    summary.add_argument("--years", help="a year or a range, e.g. 2019 or 2018-2019")
    summary.add_argument("--kind", default="", choices=("", *KINDS))
    summary.add_argument("--office", default="", help="an office, or part of its name")
    summary.add_argument("--out", type=Path, help="write every table as CSV, and all as one XLSX, into this folder")
    summary.add_argument("--rows", type=int, default=15, help="rows of each table printed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()

    if args.command == "build":
        from index.build import BuildInProgress, IndexBuilder
        from index.progress_bars import ProgressBars

        bars = ProgressBars()
        try:
            report = IndexBuilder(settings).build(args.paths or None, prune=args.prune, on_progress=bars)
        except (BuildInProgress, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        finally:
            bars.close()
        print(report.summary())
        return 0

    from index.store import ReplyStore

    store = ReplyStore(settings)
    if args.command == "search":
        return print_search(args, settings, store)
    if args.command == "overview":
        return print_overview(args, settings, store)
    if args.command == "status":
        print_status(settings, store)
        return 0
    if args.command == "list":
        for record in sorted(store.all_documents(), key=lambda r: r.sources):
            sources = ", ".join(record.sources)
            print(f"{record.doc_id}  {record.fields.get('date', ''):10}  {record.n_chunks:3} chunks  {record.title}  [{sources}]")
        return 0
    if args.command == "remove":
        from index.build import BuildInProgress, IndexBuilder

        try:
            removed = IndexBuilder(settings, store).remove(args.doc_ids)
        except BuildInProgress as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for doc_id in args.doc_ids:
            print(
                f"removed {doc_id}" if doc_id in removed else f"error: no document {doc_id}",
                file=sys.stdout if doc_id in removed else sys.stderr,
            )
        return 0 if len(removed) == len(args.doc_ids) else 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
