"""The evaluation report: summary table, breakdown by question type, the worst answers, and plots."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from eval.scores import MEDIANS, SCORE_NAMES, summarise


def _cell(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def write_report(out: Path, results: list[dict], earlier: dict | None, settings: dict) -> dict:
    """Write summary.json, report.md and the plots; return the summary."""
    summary = summarise([r["scores"] for r in results])
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_type["/".join(filter(None, (r["type"], r.get("shape", "")))) or "untyped"].append(r["scores"])
    (out / "summary.json").write_text(
        json.dumps({"overall": summary, "settings": settings}, ensure_ascii=False, indent=2), encoding="utf-8"
    )

    lines = [
        "# Evaluation report",
        "",
        f"{len(results)} questions; llm `{settings.get('llm')}`, verifier `{settings.get('verifier')}`.",
        "",
    ]
    header = "| score | value |" + (" earlier | change |" if earlier else "")
    lines += [header, "|---|---|" + ("---|---|" if earlier else "")]
    for name in (*SCORE_NAMES, *MEDIANS):
        row = f"| {name} | {_cell(summary[name])} |"
        if earlier:
            old = earlier["overall"].get(name)
            change = None if old is None or summary[name] is None else round(summary[name] - old, 3)
            row += f" {_cell(old)} | {_cell(change)} |"
        lines.append(row)

    types = sorted(by_type)
    lines += ["", "## By question type", "", "| score | " + " | ".join(f"{t} ({len(by_type[t])})" for t in types) + " |"]
    lines.append("|---|" + "---|" * len(types))
    type_summaries = {t: summarise(by_type[t]) for t in types}
    for name in (*SCORE_NAMES, *MEDIANS):
        lines.append(f"| {name} | " + " | ".join(_cell(type_summaries[t][name]) for t in types) + " |")

    worst = sorted(
        (r for r in results if r["scores"]["faithfulness"] is not None), key=lambda r: (r["scores"]["faithfulness"], r["id"])
    )[:8]
    lines += ["", "## Least faithful answers", ""]
    for r in worst:
        lines.append(f"- **{r['id']}** ({r['type']}, faithfulness {_cell(r['scores']['faithfulness'])}) {r['question']}")
        lines.append(f"  - answer: {r['answer']['answer']}")
        reasons = r["scores"].get("unsupported_reasons") or [""] * len(r["scores"]["unsupported_claims"])
        lines += [
            f"  - unsupported: {claim}" + (f"（{why}）" if why else "")
            for claim, why in zip(r["scores"]["unsupported_claims"], reasons, strict=True)
        ]
    wrong_refusals = [r for r in results if not r["scores"]["refusal_correct"]]
    lines += ["", "## Wrong refusals", ""]
    lines += [
        f"- **{r['id']}** answerable={r['answerable']} refused={r['answer']['refused']}: {r['question']}" for r in wrong_refusals
    ]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plot(out, results, type_summaries)
    return summary


def plot(out: Path, results: list[dict], type_summaries: dict[str, dict]) -> None:
    """Score distributions and per-type means as PNG; labels are ASCII, so no CJK font is needed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(15, 4))
    for axis, name in zip(axes, ("faithfulness", "citation_precision", "correctness"), strict=True):
        values = [r["scores"][name] for r in results if r["scores"][name] is not None]
        axis.hist(values, bins=10, range=(0, 1), color="#3b6ea5")
        axis.set_title(f"{name} (n={len(values)})")
        axis.set_xlabel("score per answer")
    figure.tight_layout()
    figure.savefig(out / "distributions.png", dpi=100)
    plt.close(figure)

    names = ("faithfulness", "citation_precision", "correctness", "refusal_correct", "recall@3")
    types = sorted(type_summaries)
    figure, axis = plt.subplots(figsize=(max(8, len(types) * 1.6), 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        axis.bar([t + i * width for t in range(len(types))], [type_summaries[t][name] or 0 for t in types], width, label=name)
    axis.set_xticks([t + 0.4 - width / 2 for t in range(len(types))], types, rotation=20)
    axis.set_ylim(0, 1.05)
    axis.legend(fontsize=8, ncols=len(names))
    figure.tight_layout()
    figure.savefig(out / "by_type.png", dpi=100)
    plt.close(figure)
