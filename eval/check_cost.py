"""What the learned verifier would add to a chat answer if the engine's own check used it: the seconds it takes to
judge each sentence of real answers against the passages it cites (a sentence citing none: against every passage
shown), beside the rules' check of the same pairs and the answer's own time as recorded. A lower bound: the engine's
check also reads passages retrieved but not shown, and the header each passage carries.

    python -m eval.check_cost [--answers eval/results/corpus-after/answers.jsonl] [--limit 30]
                              [--out eval/results/check-cost.json] [--compare OLD.json]

Warm, as in the chat: the model and the judge's example block are loaded and evaluated on one pair first; no judge
cache, so every pair is asked of the model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from eval.__main__ import make_verifiers
from eval.benchmark import load_earlier, print_and_save
from eval.verifier import Verifier
from settings import PROJECT_ROOT
from text.markers import strip_markers

ANSWERS = PROJECT_ROOT / "eval" / "results" / "corpus-after" / "answers.jsonl"


def answer_pairs(answer: dict) -> list[tuple[str, str, str]]:
    """(sentence, passage, question) for every sentence of an answer and each passage it cites, or every one shown."""
    shown = {p["n"]: p["text"] for p in answer["passages"] if p.get("shown")}
    pairs = []
    for sentence in answer["sentences"]:
        cited = [shown[n] for n in sentence["markers"] if n in shown] or list(shown.values())
        pairs += [(strip_markers(sentence["text"]), passage, answer["question"]) for passage in cited]
    return pairs


def seconds_per_answer(verifier: Verifier, answers: list[list[tuple[str, str, str]]]) -> list[float]:
    spent = []
    for pairs in tqdm(answers, desc=verifier.name, unit="answer"):
        started = time.perf_counter()
        for claim, passage, question in pairs:
            verifier.judge(claim, passage, question)
        spent.append(time.perf_counter() - started)
    return spent


def percentile(values: list[float], q: int) -> float:
    return round(float(np.percentile(values, q)), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.check_cost", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=Path, default=ANSWERS, help="an evaluation run's answers.jsonl")
    parser.add_argument("--limit", type=int, default=30, help="the first N answers that are not refusals")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "check-cost.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    args = parser.parse_args(argv)

    rows = [json.loads(line)["answer"] for line in args.answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Lists of earlier replies ("以前有没有…") are given as found, not checked: they cost the check nothing.
    answered = [a for a in rows if not a["refused"] and not a.get("precedents") and answer_pairs(a)][: args.limit]
    pairs = [answer_pairs(a) for a in answered]
    verifiers = make_verifiers(["learned", "local"])
    # The rules first: the learned verifier reads them too, and their readings are kept once computed.
    rules = seconds_per_answer(verifiers["local"], pairs)
    verifiers["learned"].judge("本句只用于预热。", "预热。")  # loads the model and evaluates the examples' prefix once
    learned = seconds_per_answer(verifiers["learned"], pairs)
    recorded = [a["timings"]["total_s"] for a in answered if a.get("timings")]

    figures = {
        "answers": len(answered),
        "sentences_per_answer": round(float(np.mean([len(a["sentences"]) for a in answered])), 2),
        "pairs_per_answer": round(float(np.mean([len(x) for x in pairs])), 2),
        "learned_added_s_p50": percentile(learned, 50),
        "learned_added_s_p95": percentile(learned, 95),
        "learned_s_per_pair": round(sum(learned) / sum(map(len, pairs)), 2),
        "rules_s_p50": percentile(rules, 50),
        "rules_s_p95": percentile(rules, 95),
        "answer_total_s_p50": percentile(recorded, 50) if recorded else "-",
    }
    baselines = {"learned_added_s_p50": figures["rules_s_p50"], "learned_added_s_p95": figures["rules_s_p95"]}
    note = "baseline: the rules' check of the same pairs (the engine's check today); answer_total_s: as the run recorded"
    title = f"check cost per answer ({args.answers.parent.name})"
    print_and_save(title, figures, load_earlier(args.compare), baselines, note, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
