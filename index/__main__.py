"""Command line: python -m index build|search|status|list|remove."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build and search the index of official replies.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="index files and folders (default: the configured corpus)")
    build.add_argument("paths", nargs="*", type=Path)
    build.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    search = sub.add_parser("search", help="print the best passages for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=None, help="how many passages")
    search.add_argument("--json", action="store_true")
    sub.add_parser("status", help="documents, chunks and where the index lives")
    sub.add_parser("list", help="one line per indexed document")
    remove = sub.add_parser("remove", help="remove documents by doc_id")
    remove.add_argument("doc_ids", nargs="+")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()

    if args.command == "build":
        from index.build import BuildInProgress, IndexBuilder

        try:
            report = IndexBuilder(settings).build(args.paths or None, prune=args.prune)
        except (BuildInProgress, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(report.summary())
        return 0

    from index.store import ReplyStore

    store = ReplyStore(settings)
    if args.command == "search":
        from index.search import Searcher

        hits = Searcher(settings, store).search(args.query, args.k)
        rows = [
            {
                "rank": n,
                "score": round(h.score, 4),
                "dense": round(h.dense, 4),
                "keyword": round(h.keyword, 3),
                "coverage": round(h.coverage, 3),
                "doc_id": h.chunk.doc_id,
                "title": h.meta.get("title", ""),
                "source": h.meta.get("source", ""),
                "section": h.meta.get("section", ""),
                "start": h.meta.get("start"),
                "end": h.meta.get("end"),
                "text": h.chunk.text,
            }
            for n, h in enumerate(hits, 1)
        ]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                print(f"[{row['rank']}] {row['score']:.4f} {row['title']} ({row['source']}) {row['section']}")
                print(f"    {row['text'][:160]}")
        return 0
    if args.command == "status":
        docs = store.all_documents()
        print(f"index: {settings.chroma_host or settings.resolve(settings.data_dir)}  collection: {settings.collection}")
        print(f"documents: {len(docs)}  chunks: {store.chunks.count()}  embedder: {settings.embedder}")
        return 0
    if args.command == "list":
        for record in sorted(store.all_documents(), key=lambda r: r.sources):
            sources = ", ".join(record.sources)
            print(f"{record.doc_id}  {record.fields.get('date', ''):10}  {record.n_chunks:3} chunks  {record.title}  [{sources}]")
        return 0
    if args.command == "remove":
        for doc_id in args.doc_ids:
            if store.get_document(doc_id) is None:
                print(f"error: no document {doc_id}", file=sys.stderr)
                return 2
            store.remove_document(doc_id)
            print(f"removed {doc_id}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
