"""Drafts scored: each suggestion of a set drafted from an index of corpus/ and the Teddy replies named, then the share
of draft sentences the evaluation's verifier finds supported by the passages they cite, the share of the suggestion's
points answered or marked, and the seconds to the points, to the first section and to the whole draft.

    python -m eval.drafts [--suggestions eval/data/suggestions_blind.jsonl] [--rows FILE] [--out eval/results/drafts]

The figures are printed beside the run saved in --out before, and saved there for the next run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from tqdm import tqdm

from answer.draft import COVERED, Drafter
from answer.engine import AnswerEngine
from eval.__main__ import make_verifier
from eval.benchmark import load_earlier, print_table, save
from eval.teddy import indexed_with_rows
from settings import PROJECT_ROOT, load_settings
from text.markers import strip_markers

DATA = PROJECT_ROOT / "eval" / "data"
FIGURES = (
    "sentences",
    "supported_share",
    "points_found_share",
    "covered_right",
    "marked_right",
    "placeholders",
    "plan_p50_s",
    "first_section_p50_s",
    "first_section_max_s",
    "first_written_p50_s",
    "first_written_max_s",
    "total_p50_s",
    "seconds_per_100_pieces",
)


def score_draft(draft: dict, suggestion: dict, verifier) -> dict:
    """One draft's figures: its sentences the verifier finds supported by the passages they cite, and whether each of
    the writer's points got a section, covered where a precedent speaks of it and marked where none does."""
    passages = {p["n"]: p["text"] for p in draft["passages"]}
    sentences = [s for section in draft["sections"] for s in section["sentences"]]
    supported = [
        any(verifier.label(strip_markers(s["text"]), passages[n]) == "supported" for n in s["markers"]) for s in sentences
    ]
    expected = suggestion["expected"]
    found = [s["status"] for s in draft["sections"]]
    aligned = len(found) == len(expected)  # the points are read in the writer's order, so equal counts line them up
    pieces = sum(s.get("pieces", 0) for s in draft["sections"])
    return {
        "sentences": len(sentences),
        "supported": sum(supported),
        "unsupported_sentences": [s["text"] for s, ok in zip(sentences, supported, strict=True) if not ok],
        "points_expected": len(expected),
        "points_found": len(found),
        "covered_right": sum(aligned and e == "covered" and f == COVERED for e, f in zip(expected, found, strict=False)),
        "covered_expected": expected.count("covered"),
        "marked_right": sum(aligned and e == "not covered" and f != COVERED for e, f in zip(expected, found, strict=False)),
        "marked_expected": expected.count("not covered"),
        "placeholders": sum(f != COVERED for f in found),
        "model_pieces": pieces,
        "writing_s": sum(s.get("seconds", 0.0) for s in draft["sections"]),
        **draft["timings"],
        "first_written_s": draft["timings"].get("first_written_s", draft["timings"]["first_section_s"]),
    }


def summarise(scores: list[dict]) -> dict:
    def share(part: str, whole: str) -> float:
        return sum(s[part] for s in scores) / max(1, sum(s[whole] for s in scores))

    def p50(name: str) -> float:
        return statistics.median(s[name] for s in scores)

    return {
        "drafts": len(scores),
        "sentences": sum(s["sentences"] for s in scores),
        "supported_share": share("supported", "sentences"),
        "points_found_share": sum(min(s["points_found"], s["points_expected"]) for s in scores)
        / max(1, sum(s["points_expected"] for s in scores)),
        "covered_right": share("covered_right", "covered_expected"),
        "marked_right": share("marked_right", "marked_expected"),
        "placeholders": sum(s["placeholders"] for s in scores),
        "plan_p50_s": p50("plan_s"),
        "first_section_p50_s": p50("first_section_s"),
        "first_section_max_s": max(s["first_section_s"] for s in scores),
        "total_p50_s": p50("total_s"),
        "first_written_p50_s": p50("first_written_s"),
        "first_written_max_s": max(s["first_written_s"] for s in scores),
        "seconds_per_100_pieces": 100 * sum(s["writing_s"] for s in scores) / max(1, sum(s["model_pieces"] for s in scores)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.drafts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suggestions", type=Path, default=DATA / "suggestions_blind.jsonl")
    parser.add_argument(
        "--rows", type=Path, default=DATA / "suggestions_blind_index_rows.txt", help="留言编号 of the Teddy replies to index"
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "drafts")
    parser.add_argument("--limit", type=int, help="only the first N suggestions")
    args = parser.parse_args(argv)

    suggestions = [json.loads(line) for line in args.suggestions.read_text(encoding="utf-8").splitlines() if line.strip()]
    suggestions = suggestions[: args.limit] if args.limit else suggestions
    earlier = load_earlier(args.out / "summary.json" if (args.out / "summary.json").exists() else None)
    engine = AnswerEngine(indexed_with_rows(load_settings(), args.rows))
    engine.warm_up()
    drafter = Drafter.sharing(engine)
    drafts = [
        drafter.draft(s["text"], s.get("office", ""), s.get("kind", "")).to_dict() for s in tqdm(suggestions, desc="drafting")
    ]
    # Scored after every draft is written: the judge shares the model and would evict the prompt the drafter keeps cached.
    # rules+llm, as both blind sets of suggestions were scored with it.
    verifier = make_verifier("rules+llm", engine.llm, engine.searcher.embedder)
    scores = [score_draft(d, s, verifier) for d, s in zip(tqdm(drafts, desc="scoring"), suggestions, strict=True)]
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "drafts.jsonl").open("w", encoding="utf-8") as out:
        for s, d, sc in zip(suggestions, drafts, scores, strict=True):
            out.write(json.dumps({"id": s["id"], "draft": d, "scores": sc}, ensure_ascii=False) + "\n")
    summary = summarise(scores)
    rows = {"this run": summary}
    if earlier:
        rows["earlier run"] = earlier
    print_table("drafts", rows, [f for f in FIGURES if f in summary])
    save(args.out / "summary.json", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
