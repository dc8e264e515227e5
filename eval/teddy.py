"""The Teddy export in ../shared/data (2,816 citizen messages with their replies) as a benchmark index."""

from __future__ import annotations

import shutil

from index.build import BuildReport, IndexBuilder
from index.embedder import Embedder
from index.store import ReplyStore
from settings import PROJECT_ROOT, Settings, TableColumns, load_settings

TEDDY = PROJECT_ROOT.parent / "shared" / "data" / "teddy2020_replies.xlsx"
RUNS = PROJECT_ROOT / "eval" / "runs"
# The reply alone is indexed: the message's subject and text are the queries, never part of the index.
REPLY_ONLY = TableColumns(question="", title="", office="")


def teddy_settings(**overrides: object) -> Settings:
    """The configured settings with the reply-only mapping, the index kept per chunk size under eval/runs."""
    settings = load_settings(collection="teddy", table_columns=REPLY_ONLY, **overrides)
    return settings.model_copy(update={"data_dir": RUNS / f"teddy-{settings.chunk_chars}"})


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
    report = IndexBuilder(settings, store, embedder).build([TEDDY])
    return store, report
