"""How long the overview of the Teddy export takes on this machine, from the index (nothing embedded again): cold (no
cache: every reply's facts worked out), warm (the cache read), the step a build adds for one new reply, and the topics,
hot issues and tables worked out from the facts; printed beside the issue's budget and the earlier run, and saved.

    python -m eval.overview_speed [--compare eval/results/overview_speed.json]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

from eval.benchmark import load_earlier, print_and_save
from eval.teddy import build_teddy_index, teddy_overview_settings
from index.build import IndexBuilder
from index.overview import FactsCache, overview
from index.overview_tables import tables
from index.store import ReplyStore
from settings import Settings

OUT = Path(__file__).parent / "results" / "overview_speed.json"
_COLUMNS = ["留言编号", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]
_NEW_MESSAGE = [
    "speed-1",
    "A3区某小区电梯长期故障",
    "2020/1/2 9:00:00",
    "小区3栋电梯经常停运，老人上下楼困难，请尽快维修。",
    "网友您好！经A3区市场监管局核查，该电梯已于2020年1月10日完成维修。下一步，我局将于2020年3月底前对辖区老旧电梯开展检查。",
    "2020/1/15 9:00:00",
]
BUDGET_S = 60  # the issue's: the overview of the Teddy export within a minute on 2 cores


def timed(work) -> tuple[object, float]:
    started = time.perf_counter()
    done = work()
    return done, round(time.perf_counter() - started, 2)


def one_reply_added(settings: Settings, store: ReplyStore) -> float:
    """The seconds a build spends bringing the overview up to date after adding one new message with its reply (added as
    an export of one row, then removed again)."""
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "一条留言.csv"
        with export.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([_COLUMNS, _NEW_MESSAGE])
        report = IndexBuilder(settings, store).build([export])
        IndexBuilder(settings, store).remove([d.doc_id for d in store.all_documents() if str(export) in " ".join(d.sources)])
    return round(report.timings["overview"], 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.overview_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=Path, default=OUT if OUT.exists() else None, help="an earlier run's figures")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    earlier = load_earlier(args.compare)
    settings = teddy_overview_settings()
    store, _ = build_teddy_index(settings)
    cache = FactsCache(store.overview_folder)
    shutil.rmtree(cache.folder, ignore_errors=True)
    (facts, vectors), cold = timed(lambda: cache.current(store))
    view, grouped = timed(lambda: overview(facts, vectors))
    _, tabled = timed(lambda: tables(view))
    _, warm = timed(lambda: cache.current(store))
    one_new = one_reply_added(settings, store)
    figures = {
        "replies": len(facts),
        "topics": len(view.topics),
        "hot_issues": len(view.hot),
        "facts_cold_s": cold,
        "facts_warm_s": warm,
        "build_overview_step_one_new_s": one_new,
        "topics_hot_issues_s": grouped,
        "tables_s": tabled,
        "overview_cold_s": round(cold + grouped + tabled, 2),
        "overview_warm_s": round(warm + grouped + tabled, 2),
    }
    budget = {"overview_cold_s": BUDGET_S, "overview_warm_s": BUDGET_S}
    note = "baseline: the issue's budget, a minute on 2 cores; cold = no overview cache (index warm on disk), one process"
    print_and_save("overview of the Teddy export", figures, earlier, budget, note, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
