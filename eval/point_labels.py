"""The drafter's plan against the writers' labels, without the model: for each point of each set, whether a precedent
is found that answers it (the label 已依据先例作答 can only follow from one) or only touches it, beside the writer's
covered / not covered. It measures the rule that tells an answer from a near miss, in a minute and a half.

    python -m eval.point_labels [--sets 1 2 3] [--show] [--out eval/results/point_labels.json]

Set N is eval/data/suggestions_blind_N.jsonl (set 1: suggestions_blind.jsonl) with its _index_rows.txt. The figures
are printed beside the run saved in --out before, and saved there for the next run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from answer.draft import Drafter, DraftPlan
from eval.benchmark import load_earlier, print_table, save
from eval.teddy import indexed_with_rows
from index.search import Searcher
from settings import PROJECT_ROOT, load_settings

DATA = PROJECT_ROOT / "eval" / "data"


def set_files(name: str) -> tuple[Path, Path]:
    """The suggestions of set `name` and the Teddy rows its index holds."""
    stem = "suggestions_blind" if name == "1" else f"suggestions_blind_{name}"
    return DATA / f"{stem}.jsonl", DATA / f"{stem}_index_rows.txt"


def planned(suggestions: Path, rows: Path) -> list[dict]:
    """Each point of the set with the writer's label and the plan's: answerable or not, the words it found unmentioned."""
    searcher = Searcher(indexed_with_rows(load_settings(), rows))
    drafter = Drafter(searcher.settings, searcher, None, None)  # the plan comes before any model turn
    points = []
    for line in suggestions.read_text(encoding="utf-8").splitlines():
        suggestion = json.loads(line)
        events = drafter.stream(suggestion["text"], suggestion.get("office", ""), suggestion.get("kind", ""))
        plan = next(events)
        events.close()
        assert isinstance(plan, DraftPlan)
        expected = suggestion["expected"] if len(suggestion["expected"]) == len(plan.points) else [""] * len(plan.points)
        for point, label in zip(plan.points, expected, strict=True):
            kept = {k: point[k] for k in ("label", "quotes_answer", "unmentioned")} | {"found": bool(point["precedents"])}
            points.append({"id": suggestion["id"], "expected": label, **kept})
    return points


def figures(points: list[dict]) -> dict:
    """How many points the plan labels as their writers did: covered ones answered by a quote, the rest not."""
    covered = [p for p in points if p["expected"] == "covered"]
    missed = [p for p in points if p["expected"] == "not covered"]
    return {
        "points": len(points),
        "unaligned": sum(not p["expected"] for p in points),
        "covered_answerable": f"{sum(p['quotes_answer'] for p in covered)}/{len(covered)}",
        "not_covered_marked": f"{sum(not p['quotes_answer'] for p in missed)}/{len(missed)}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.point_labels", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["1", "2", "3"])
    parser.add_argument("--show", action="store_true", help="print the points labelled otherwise (not for a blind set)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "point_labels.json")
    args = parser.parse_args(argv)
    earlier = load_earlier(args.out if args.out.exists() else None) or {}
    results, rows = {}, {}
    for name in args.sets:
        points = planned(*set_files(name))
        results[f"set {name}"] = {**figures(points), "points_labelled": points}
        rows[f"set {name}"] = results[f"set {name}"]
        if f"set {name}" in earlier:
            rows[f"set {name} (earlier run)"] = earlier[f"set {name}"]
        for point in points if args.show else []:
            if point["expected"] == "not covered" or (point["expected"] == "covered" and not point["quotes_answer"]):
                said = "answered" if point["quotes_answer"] else "related" if point["found"] else "no precedent"
                print(f"  {point['id']} {point['expected']:12} {said:12} {'、'.join(point['unmentioned']):24} {point['label']}")
    print_table("point labels", rows, ["points", "unaligned", "covered_answerable", "not_covered_marked"])
    save(args.out, {**earlier, **results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
