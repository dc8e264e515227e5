"""Command line: python -m eval run QUESTIONS.jsonl --out DIR [--compare OLD_DIR] [--teddy-rows FILE] [--answers OLD.jsonl]
| python -m eval verifier [--pairs FILE]."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from settings import PROJECT_ROOT, load_settings

if TYPE_CHECKING:
    from answer.engine import AnswerEngine
    from answer.llm import ChatModel
    from eval.questions import Question
    from eval.verifier import Verifier
    from index.embedder import Embedder

# Labelled claim/passage pairs; eval/data/README.md says how each set was made and used.
DATA = PROJECT_ROOT / "eval" / "data"
# Written from corpus/ and from Teddy replies. The rules and thresholds were set on the even lines; the odd lines are held out.
TUNING_PAIRS = (DATA / "pairs_corpus_tuning.jsonl", DATA / "pairs_teddy_tuning.jsonl")
# Written blind from other Teddy replies by helpers who had not seen the rules, and scored whole. The first two guided
# how the rules and the judge are combined; the third and fourth were each scored once before anyone read them.
BLIND_PAIRS = tuple(DATA / f"pairs_blind_{n}.jsonl" for n in (1, 2, 3, 4))
VERIFIERS = ("rules+llm", "local", "llm")
VERIFIER_HELP = "rules+llm: the rules for figures, dates, negation and mood, the LLM judge for the rest; local: the rules alone"


def run(args: argparse.Namespace) -> int:
    from answer.engine import AnswerEngine
    from eval.questions import read_questions
    from eval.report import write_report
    from eval.scores import score

    settings = load_settings()
    if args.teddy_rows:
        from eval.teddy import indexed_with_rows

        settings = indexed_with_rows(settings, args.teddy_rows)
    questions = read_questions(args.questions)
    if args.limit:
        questions = questions[: args.limit]
    engine = AnswerEngine(settings)
    args.out.mkdir(parents=True, exist_ok=True)
    answers = earlier_answers(args.answers) if args.answers else answer_all(engine, questions, args.out / "answers.jsonl")
    # Scored after every answer is in: the judge shares the model, and would evict the prompt the engine keeps cached.
    verifier = make_verifier(args.verifier, engine.llm, engine.searcher.embedder)
    results = []
    with (args.out / "results.jsonl").open("w", encoding="utf-8") as out:
        for q in tqdm([q for q in questions if q.id in answers], desc="scoring", unit="q"):
            row = {**asdict(q), "answer": answers[q.id], "scores": score(q, answers[q.id], verifier)}
            results.append(row)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    earlier = json.loads((args.compare / "summary.json").read_text(encoding="utf-8")) if args.compare else None
    run_settings = {"llm": f"{settings.llm_backend}:{settings.llm_model}", "verifier": verifier.name, "top_k": settings.top_k}
    summary = write_report(args.out, results, earlier, run_settings)
    for name, value in summary.items():
        print(f"{name:20} {value}")
    print(f"report: {args.out / 'report.md'}")
    return 0


def answer_all(engine: AnswerEngine, questions: list[Question], path: Path) -> dict[str, dict]:
    """Every question answered, a follow-up after the answer it follows, each written to path as it comes."""
    answers: dict[str, dict] = {}
    with path.open("w", encoding="utf-8") as out:
        for q in tqdm(questions, desc="answering", unit="q"):
            history = [(answers[q.follows]["question"], answers[q.follows]["answer"])] if q.follows in answers else None
            answers[q.id] = engine.ask(q.question, history).to_dict()
            out.write(json.dumps({"id": q.id, "answer": answers[q.id]}, ensure_ascii=False) + "\n")
            out.flush()
    return answers


def earlier_answers(path: Path) -> dict[str, dict]:
    """The answers of an earlier run (its answers.jsonl or results.jsonl), to score again without asking again."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: row["answer"] for row in rows}


def make_verifier(kind: str, llm: ChatModel | None = None, embedder: Embedder | None = None) -> Verifier:
    """The rules with the LLM judge (default), the LLM judge alone, or the rules alone with the configured embedder for
    their paraphrase check; the LLM is loaded from the settings unless given."""
    from eval.verifier import LLMJudge, LocalVerifier, RuledJudge

    if kind != "local":
        if llm is None:
            from answer.llm import load_chat_model

            llm = load_chat_model(load_settings())
        return LLMJudge(llm) if kind == "llm" else RuledJudge(LLMJudge(llm))
    from answer.paraphrase import ParaphraseCheck
    from index.embedder import load_embedder

    if embedder is None:
        settings = load_settings()
        embedder = load_embedder(settings)
    return LocalVerifier(ParaphraseCheck(embedder))


def verifier_figures(args: argparse.Namespace) -> int:
    verifier = make_verifier(args.verifier)
    return max(score_verifier(verifier, path, held_out=path.resolve() in TUNING_PAIRS and not args.all) for path in args.pairs)


def score_verifier(verifier: Verifier, path: Path, held_out: bool) -> int:
    """Print the verifier's figures on one labelled file (its odd lines only when held_out)."""
    from eval.verifier import LABELS

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[1::2] if held_out else rows
    bad = [r for r in rows if r.get("label") not in LABELS or not r.get("claim") or not r.get("passage")]
    if bad:
        print(f"error: {path}: {len(bad)} pair(s) lack claim, passage or a label in {LABELS}", file=sys.stderr)
        return 2
    predicted = [verifier.label(r["claim"], r["passage"]) for r in tqdm(rows, desc="verifying", unit="pair")]
    gold = [r["label"] for r in rows]
    is_bad = [g != "supported" for g in gold]
    said_bad = [p != "supported" for p in predicted]
    tp = sum(a and b for a, b in zip(is_bad, said_bad, strict=True))
    tn = sum(not a and not b for a, b in zip(is_bad, said_bad, strict=True))
    figures = {
        "pairs": len(rows),
        "accuracy (3 labels)": sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(rows),
        "accuracy (supported or not)": (tp + tn) / len(rows),
        "balanced accuracy": 0.5 * (tp / max(1, sum(is_bad)) + tn / max(1, len(rows) - sum(is_bad))),
        "precision, unsupported class": tp / max(1, sum(said_bad)),
        "recall, unsupported class": tp / max(1, sum(is_bad)),
    }
    print(f"verifier {verifier.name} on {path.name}" + (" (held-out half)" if held_out else ""))
    for name, value in figures.items():
        print(f"  {name:30} {value:.3f}" if isinstance(value, float) else f"  {name:30} {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score the answers and the claim verifier.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="answer a question set and score every answer")
    run_parser.add_argument("questions", type=Path)
    run_parser.add_argument("--out", type=Path, required=True)
    run_parser.add_argument("--compare", type=Path, help="an earlier --out directory")
    run_parser.add_argument("--limit", type=int, help="only the first N questions")
    run_parser.add_argument("--answers", type=Path, help="score the answers of an earlier run's results.jsonl instead of asking")
    run_parser.add_argument(
        "--teddy-rows", type=Path, help="a file of 留言编号: ask an index of corpus/ and those Teddy replies (in eval/runs/)"
    )
    run_parser.add_argument("--verifier", choices=VERIFIERS, default=VERIFIERS[0], help=VERIFIER_HELP)
    verifier_parser = sub.add_parser("verifier", help="accuracy of the claim verifier on labelled pairs")
    verifier_parser.add_argument(
        "--pairs", type=Path, nargs="+", default=[*TUNING_PAIRS, *BLIND_PAIRS], help="labelled JSONL files"
    )
    verifier_parser.add_argument("--all", action="store_true", help="score every pair, not only the held-out half")
    verifier_parser.add_argument("--verifier", choices=VERIFIERS, default=VERIFIERS[0], help=VERIFIER_HELP)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(args) if args.command == "run" else verifier_figures(args)


if __name__ == "__main__":
    sys.exit(main())
