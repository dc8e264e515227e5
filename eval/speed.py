"""Answer speed on this machine: retrieve, first-token and total seconds per answer, median and worst, peak memory.

    python -m eval.speed [--n 12] [--out eval/results/speed.json] [--compare OLD.json]

Runs the current settings beside a baseline in the same run: 4 passages and no character budget, so that only
sentences sharing next to nothing with the question are left out (the walking skeleton sent 4 whole passages).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
from pathlib import Path

from tqdm import tqdm

from answer.engine import AnswerEngine
from answer.passages import number_passages
from answer.prompt import messages
from answer.questions import read_question
from eval.benchmark import load_earlier, print_table, save
from eval.questions import read_questions
from settings import PROJECT_ROOT, Settings, load_settings

BASELINE = {"top_k": 4, "context_chars": 100_000}
FIGURES = ("retrieve_s", "first_token_s", "total_s", "prompt_chars")


def measure(engine: AnswerEngine, questions: list[str], label: str) -> list[dict]:
    rows = []
    for question in tqdm(questions, desc=label, unit="q"):
        hits = engine.searcher.search(question, engine.settings.top_k)
        prompt = messages(question, number_passages(read_question(question), hits, engine.settings.context_chars))
        answer = engine.ask(question)
        rows.append({**answer.timings, "prompt_chars": sum(len(m["content"]) for m in prompt), "refused": answer.refused})
    return rows


def summary(rows: list[dict]) -> dict[str, float]:
    generated = [r for r in rows if not r["refused"]] or rows
    out = {}
    for name in FIGURES:
        values = [r.get(name, 0.0) for r in generated]
        out[f"{name} median"] = round(statistics.median(values), 2)
        out[f"{name} worst"] = round(max(values), 2)
    out["answered"] = len(generated)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.speed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval" / "data" / "questions_corpus.jsonl")
    parser.add_argument("--n", type=int, default=12, help="how many answerable questions")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "speed.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    args = parser.parse_args(argv)

    settings: Settings = load_settings()
    questions = [q.question for q in read_questions(args.questions) if q.answerable and not q.follows][: args.n]
    current = AnswerEngine(settings)
    current.ask(questions[0])  # load the model and page it in: not part of any answer's time
    baseline = AnswerEngine(settings.model_copy(update=BASELINE), current.searcher, current.llm)
    results = {
        "current": summary(measure(current, questions, "current")),
        "baseline": summary(measure(baseline, questions, "baseline")),
    }
    results["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    results["settings"] = {"top_k": settings.top_k, "context_chars": settings.context_chars, "threads": settings.threads}
    earlier = load_earlier(args.compare) or {}
    print(f"\n{len(questions)} questions, llm={settings.llm_backend}:{settings.llm_model}, threads={settings.threads}")
    rows = {
        key: {"current": value, "baseline": results["baseline"][key], "earlier run": earlier.get("current", {}).get(key, "-")}
        for key, value in results["current"].items()
    }
    rows["peak memory (GB)"] = {"current": results["peak_rss_gb"], "earlier run": earlier.get("peak_rss_gb", "-")}
    print_table("figure", rows, ["current", "baseline", "earlier run"])
    save(args.out, results)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
