"""How long the overview of the Teddy export takes on this machine, from the index (nothing embedded again): cold (no
cache: every reply's facts worked out), warm (the cache read), one reply new to the cache, and the topics, hot issues
and tables worked out from the facts; printed beside the issue's budget and the earlier run, and saved.

    python -m eval.overview_speed [--compare eval/results/overview_speed.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from eval.benchmark import load_earlier, print_and_save
from eval.teddy import build_teddy_index, teddy_overview_settings
from index.overview import FactsCache, overview
from index.overview_tables import tables

OUT = Path(__file__).parent / "results" / "overview_speed.json"
BUDGET_S = 60  # the issue's: the overview of the Teddy export within a minute on 2 cores


def timed(work) -> tuple[object, float]:
    started = time.perf_counter()
    done = work()
    return done, round(time.perf_counter() - started, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.overview_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=Path, default=OUT if OUT.exists() else None, help="an earlier run's figures")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    earlier = load_earlier(args.compare)
    store, _ = build_teddy_index(teddy_overview_settings())
    cache = FactsCache(store.overview_folder)
    shutil.rmtree(cache.folder, ignore_errors=True)
    (facts, vectors), cold = timed(lambda: cache.current(store))
    view, grouped = timed(lambda: overview(facts, vectors))
    _, tabled = timed(lambda: tables(view))
    _, warm = timed(lambda: cache.current(store))
    entries = json.loads((cache.folder / "facts.json").read_text(encoding="utf-8"))
    entries.pop(next(iter(entries)))  # as if a build had just added that reply
    (cache.folder / "facts.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    _, one_new = timed(lambda: cache.current(store))
    figures = {
        "replies": len(facts),
        "topics": len(view.topics),
        "hot_issues": len(view.hot),
        "facts_cold_s": cold,
        "facts_warm_s": warm,
        "facts_one_new_s": one_new,
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
