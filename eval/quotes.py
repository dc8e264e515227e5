"""How well the reply's own sentences answer, without the model: for each question of a set, retrieval and extraction
as the engine runs them, scored by the gold facts the quotes hold and by the unanswerable questions they leave
unquoted. What the quotes' weights and thresholds are chosen on (the tuning sets only), and a benchmark of them.

    python -m eval.quotes eval/data/questions_corpus.jsonl
    python -m eval.quotes eval/data/questions_teddy_blind.jsonl --teddy-rows eval/data/questions_teddy_blind_rows.txt
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean, median

from eval.questions import Question, read_questions
from eval.scores import comparable


def extraction_scores(question: Question, found: dict) -> dict:
    """What one question's quotes hold: the share of its gold facts in the quotes and in the passages retrieved,
    whether it was quoted at all, and how long the quotes are."""
    quotes = comparable("".join(q["text"] for q in found["quotes"]))
    passages = comparable("".join(p["text"] for p in found["passages"]))
    facts = question.gold_facts if question.answerable else []
    return {
        "quoted": bool(found["quotes"]),
        "facts_in_quotes": mean(comparable(f) in quotes for f in facts) if facts else None,
        "facts_in_passages": mean(comparable(f) in passages for f in facts) if facts else None,
        "quote_chars": len(quotes),
        "to_quotes_s": found["to_quotes_s"],
    }


def summary(rows: list[tuple[Question, dict]]) -> dict:
    """Answerable questions quoted, gold facts in the quotes and in the passages, unanswerable questions quoted."""
    answerable = [s for q, s in rows if q.answerable]
    unanswerable = [s for q, s in rows if not q.answerable]
    facts = [s["facts_in_quotes"] for s in answerable if s["facts_in_quotes"] is not None]
    reach = [s["facts_in_passages"] for s in answerable if s["facts_in_passages"] is not None]
    return {
        "questions": len(rows),
        "answerable_quoted": round(mean(s["quoted"] for s in answerable), 3) if answerable else None,
        "facts_in_quotes": round(mean(facts), 3) if facts else None,
        "facts_in_passages": round(mean(reach), 3) if reach else None,
        "unanswerable_quoted": round(mean(s["quoted"] for s in unanswerable), 3) if unanswerable else None,
        "quote_chars_p50": median(s["quote_chars"] for q, s in rows if s["quoted"]) if any(s["quoted"] for _, s in rows) else 0,
        "to_quotes_s_p50": round(median(s["to_quotes_s"] for _, s in rows), 3) if rows else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.quotes", description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--teddy-rows", type=Path, help="index these Teddy rows beside corpus/, as python -m eval run does")
    parser.add_argument("--out", type=Path, help="write each question's quotes and scores here (JSONL)")
    args = parser.parse_args(argv)

    from answer.engine import AnswerEngine
    from answer.questions import PRECEDENT, read_question
    from settings import load_settings

    settings = load_settings()
    if args.teddy_rows:
        from eval.teddy import indexed_with_rows

        settings = indexed_with_rows(settings, args.teddy_rows)
    engine = AnswerEngine(settings)  # the model loads on first use: never here
    questions = read_questions(args.questions)
    by_id = {q.id: q for q in questions}
    rows, written = [], []
    engine.quotes(read_question("预热"), engine.searcher.search("预热"), engine.searcher.keywords.idf)
    for q in questions:
        history = [(by_id[q.follows].question, "")] if q.follows in by_id else []
        question = read_question(q.question, history)
        if question.kind == PRECEDENT:  # answered with a list of replies, not with quotes
            continue
        started = time.perf_counter()
        found = engine.gather(question)
        result = {"passages": [p.to_dict(0) for p in found.passages], "quotes": found.quoted()}
        scores = extraction_scores(q, {**result, "to_quotes_s": time.perf_counter() - started})
        rows.append((q, scores))
        written.append({"id": q.id, "type": q.type, "question": q.question, **scores, "quotes": result["quotes"]})
    by_type: dict[str, list] = defaultdict(list)
    for q, s in rows:
        by_type[q.type or "untyped"].append((q, s))
    table = {"all": summary(rows), **{t: summary(r) for t, r in sorted(by_type.items())}}
    names = list(table["all"])
    print("| set | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for name, values in table.items():
        print(f"| {name} | " + " | ".join("–" if values[n] is None else str(values[n]) for n in names) + " |")
    if args.out:
        args.out.write_text("\n".join(json.dumps(w, ensure_ascii=False) for w in written) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
