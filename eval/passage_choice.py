"""Which passage a precedent shows: how often a reply's best passage only frames it (greeting, thanks, contact or
signature lines), and what showing its best substantive passage instead costs, for each margin tried.

    python -m eval.passage_choice [--half tune|test] [--index eval/runs/questions_teddy_blind_3_rows/index]

The index is one `python -m eval run … --teddy-rows ROWS` builds under eval/runs/ (the corpus with those Teddy rows);
each of those messages' subjects is a query, even rows tune, odd rows test. For each margin: the share of the replies listed whose
first passage says little, how many passages were replaced, and the query-term coverage of the passages replaced and
of those that replaced them (a replacement that covers the query as well says as much about it)."""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

from index.search import Searcher, substance_first
from settings import PROJECT_ROOT, TableColumns, load_settings
from text.formulas import says_little

MARGINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
INDEX = PROJECT_ROOT / "eval" / "runs" / "questions_teddy_blind_3_rows" / "index"


def subjects(rows: Path, half: str) -> list[str]:
    """The message subjects of the Teddy rows indexed, even rows for tuning, odd rows for testing."""
    with rows.open(encoding="utf-8") as file:
        read = list(csv.DictReader(file))
    title = TableColumns().title
    return [row[title].strip() for n, row in enumerate(read) if (n % 2 == 0) == (half == "tune") and row[title].strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.passage_choice", description=__doc__)
    parser.add_argument("--half", choices=("tune", "test"), default="tune")
    parser.add_argument("--index", type=Path, default=INDEX)
    args = parser.parse_args(argv)
    searcher = Searcher(load_settings(data_dir=args.index))
    groups = []
    for query in subjects(args.index.parent / "teddy_rows.csv", args.half):
        hits = searcher.search(query, max(searcher.settings.candidates, 30))
        by_doc: dict[str, list] = {}
        for hit in hits:
            by_doc.setdefault(hit.chunk.doc_id, []).append(hit)
        groups += list(by_doc.values())[:10]
    print(f"{len(groups)} replies listed ({args.half} half)")
    print("margin | first passage says little | replaced | coverage replaced → replacing")
    for margin in MARGINS:
        chosen = [(g[0], substance_first(g, margin)[0]) for g in groups]
        framing = sum(says_little(new.chunk.text) for _, new in chosen) / len(chosen)
        swaps = [(old, new) for old, new in chosen if new is not old]
        before = statistics.mean(old.coverage for old, _ in swaps) if swaps else 0.0
        after = statistics.mean(new.coverage for _, new in swaps) if swaps else 0.0
        print(f"{margin:5.2f} | {framing:.3f} | {len(swaps)} | {before:.3f} → {after:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
