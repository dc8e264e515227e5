"""The Teddy export in ../shared/data (2,816 citizen messages with their replies) as a benchmark index."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from index.build import BuildReport, IndexBuilder
from index.embedder import Embedder
from index.progress_bars import ProgressBars
from index.readers import table_rows
from index.store import ReplyStore
from settings import PROJECT_ROOT, Settings, TableColumns, load_settings

TEDDY = PROJECT_ROOT.parent / "shared" / "data" / "teddy2020_replies.xlsx"
RUNS = PROJECT_ROOT / "eval" / "runs"
# The reply alone is indexed: the message's subject and text are the queries, never part of the index.
REPLY_ONLY = TableColumns(question="", title="", signing_office="")


def teddy_settings(**overrides: object) -> Settings:
    """The configured settings with the reply-only mapping, the index kept per chunk size under eval/runs."""
    settings = load_settings(collection="teddy", table_columns=REPLY_ONLY, **overrides)
    return settings.model_copy(update={"data_dir": RUNS / f"teddy-{settings.chunk_chars}"})


def teddy_overview_settings(**overrides: object) -> Settings:
    """The Teddy export as a clerk indexes it, each reply with its message, subject and date (the default columns), for
    the overview; kept under eval/runs/teddy-overview."""
    settings = load_settings(**overrides)
    return settings.model_copy(update={"data_dir": RUNS / "teddy-overview", "corpus_paths": [TEDDY]})


def build_teddy_index(
    settings: Settings, embedder: Embedder | None = None, fresh: bool = False
) -> tuple[ReplyStore, BuildReport]:
    """The Teddy replies indexed under settings.data_dir; only what is missing is built, everything when fresh."""
    if not TEDDY.exists():
        raise SystemExit(f"error: the Teddy export is not at {TEDDY}")
    data_dir = settings.resolve(settings.data_dir)
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    store = ReplyStore(settings)
    bars = ProgressBars()
    report = IndexBuilder(settings, store, embedder).build([TEDDY], on_progress=bars)
    bars.close()
    return store, report


def export_rows(ids: list[str], path: Path) -> Path:
    """The Teddy rows with these message ids (留言编号), written as a CSV export of the same columns."""
    if not TEDDY.exists():
        raise SystemExit(f"error: the Teddy export is not at {TEDDY}")
    rows = table_rows(TEDDY)
    header = next(rows)
    wanted = set(ids)
    kept = [row for row in rows if row[header.index(TableColumns().id)].strip() in wanted]
    missing = wanted - {row[header.index(TableColumns().id)].strip() for row in kept}
    if missing:
        raise SystemExit(f"error: {TEDDY.name} has no rows with 留言编号 {', '.join(sorted(missing))}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *kept])
    return path


def indexed_with_rows(settings: Settings, rows_file: Path) -> Settings:
    """Settings of an index of the configured corpus and the Teddy rows named in rows_file, built (or brought up to date)
    under eval/runs/<rows_file's name>."""
    folder = RUNS / rows_file.stem
    rows = export_rows(rows_file.read_text(encoding="utf-8").split(), folder / "teddy_rows.csv")
    indexed = settings.model_copy(update={"data_dir": folder / "index", "corpus_paths": [*settings.corpus_paths, rows]})
    report = IndexBuilder(indexed).build(prune=True)
    if report.failed:
        raise SystemExit(f"error: the evaluation index could not take every document:\n{report.summary()}")
    return indexed
