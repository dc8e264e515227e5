"""The reply-quality scores (index/quality.py) against labels written by readers of the Teddy messages and replies:
relevance, formula and completeness as agreement and Cohen's kappa, asks, commitments and days.

    python -m eval.quality_labels --labels eval/data/quality_labels_tuning.jsonl [--show]

Labels are one JSON a line ({"row": 留言编号, "asks", "addressed", "relevant", "complete", "formula",
"formula_sentence", "commitments", "note"}, /work/labels30-spec.md). Writes eval/results/quality_labels-<stem>.json.
--show prints each row where the scores and the labels differ; it is refused on a blind set.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from eval.benchmark import print_table, save
from eval.teddy import TEDDY, build_teddy_index, teddy_overview_settings
from index.keyword_index import current_keyword_index
from index.quality import YES, Quality, reply_quality
from index.readers import table_rows
from settings import PROJECT_ROOT
from text.dates import iso_date

RESULTS = PROJECT_ROOT / "eval" / "results"
# A labelled ask (or commitment) is matched by the machine's that holds this share of its pairs of characters: the two
# are worded apart, so the match is loose.
MATCH_SHARE = 0.3
COMMITMENT_SHARE = 0.5


def teddy_messages() -> dict[str, dict[str, str]]:
    """Every row of the Teddy export by its 留言编号, with its columns by name."""
    rows = table_rows(TEDDY)
    header = [name.strip() for name in next(rows)]
    return {row[0].strip(): dict(zip(header, row, strict=False)) for row in rows if row and row[0].strip()}


def scored(labels: list[dict], messages: dict[str, dict[str, str]]) -> list[tuple[dict, Quality]]:
    """Each labelled row with the scores of its reply, words weighed by their rarity as 概览 weighs them: the IDF of the
    keyword side of an index of the whole export (built under eval/runs the first time)."""
    store, _ = build_teddy_index(teddy_overview_settings())
    rarity = current_keyword_index(store).idf
    pairs = []
    for label in labels:
        row = messages[label["row"]]
        quality = reply_quality(
            row["留言主题"], row["留言详情"], row["答复意见"], iso_date(row["留言时间"]), iso_date(row["答复时间"]), rarity
        )
        pairs.append((label, quality))
    return pairs


def bigrams(text: str) -> set[str]:
    return {a + b for a, b in itertools.pairwise(text) if not (a + b).isspace()}


def held(label: str, machine: str) -> float:
    """The share of the label's pairs of characters the machine's text holds."""
    wanted = bigrams(label)
    return len(wanted & bigrams(machine)) / len(wanted) if wanted else 0.0


def agreement(labelled: list, machine: list) -> dict:
    equal = sum(a == b for a, b in zip(labelled, machine, strict=True))
    kappa = cohen_kappa_score(labelled, machine) if len(set(labelled) | set(machine)) > 1 else 1.0
    return {"agree": round(equal / len(labelled), 3), "kappa": round(float(kappa), 3), "n": len(labelled)}


def figures(pairs: list[tuple[dict, Quality]]) -> dict:
    """Agreement on each score, and how the asks and commitments compare."""
    labels, scores = [p[0] for p in pairs], [p[1] for p in pairs]
    asks = matched = agreed = 0
    for label, quality in pairs:
        for text, addressed in zip(label["asks"], label["addressed"], strict=True):
            asks += 1
            best = max(quality.asks, key=lambda ask, text=text: held(text, ask.text))
            if held(text, best.text) >= MATCH_SHARE:
                matched += 1
                agreed += best.addressed == addressed
    promised = [(c["text"], q) for label, q in pairs for c in label["commitments"]]
    found = sum(any(held(text, c.text) >= COMMITMENT_SHARE for c in q.commitments) for text, q in promised)
    return {
        "relevant": agreement([x["relevant"] for x in labels], [q.relevant for q in scores]),
        "formula": agreement([x["formula"] for x in labels], [q.formula for q in scores]),
        "complete (3 classes)": agreement([x["complete"] for x in labels], [q.complete for q in scores]),
        "complete yes / not": agreement([x["complete"] == YES for x in labels], [q.complete == YES for q in scores]),
        "asks": {
            "labelled": asks,
            "machine": sum(len(q.asks) for q in scores),
            "matched": matched,
            "addressed agree": agreed,
            "agree share of matched": round(agreed / matched, 3) if matched else 0.0,
        },
        "commitments": {
            "labelled": len(promised),
            "machine": sum(len(q.commitments) for q in scores),
            "found": found,
            "recall": round(found / len(promised), 3) if promised else 0.0,
        },
        "days computed": f"{sum(q.days is not None for q in scores)}/{len(scores)}",
    }


def show(pairs: list[tuple[dict, Quality]]) -> None:
    """Each row whose scores differ from its labels, with the asks of both."""
    for label, q in pairs:
        differ = [k for k in ("relevant", "formula", "complete") if label[k] != getattr(q, k)]
        if not differ:
            continue
        print(
            f"\n{label['row']} {'/'.join(differ)}: labelled {[label[k] for k in differ]} scored {[getattr(q, k) for k in differ]}"
        )
        print(f"  relevance {q.relevance}  formula sentence {q.formula_sentence!r}")
        for text, addressed in zip(label["asks"], label["addressed"], strict=True):
            print(f"  label  {'+' if addressed else '-'} {text}")
        for ask in q.asks:
            print(f"  scored {'+' if ask.addressed else '-'} {ask.text[:60]}  <- {ask.evidence[:50]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.quality_labels", description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, required=True)
    parser.add_argument("--show", action="store_true", help="print the rows scored otherwise (refused on a blind set)")
    args = parser.parse_args(argv)
    if args.show and "blind" in args.labels.name:
        parser.error(f"--show prints the labels of {args.labels.name}: a blind set is scored, never read")
    try:
        labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as error:
        parser.error(f"{args.labels}: not a file of one JSON label a line ({error})")
    messages = teddy_messages()
    if missing := [x["row"] for x in labels if x["row"] not in messages]:
        parser.error(f"{args.labels}: rows not in {TEDDY.name}: {', '.join(missing[:5])}")
    pairs = scored(labels, messages)
    result = figures(pairs)
    if args.show:
        show(pairs)
    table = {k: v for k, v in result.items() if isinstance(v, dict) and "agree" in v}
    print_table(f"reply quality vs {args.labels.name}", table, ["agree", "kappa", "n"])
    for key in ("asks", "commitments"):
        print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in result[key].items()))
    print(f"days computed: {result['days computed']}")
    save(RESULTS / f"quality_labels-{args.labels.stem}.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
