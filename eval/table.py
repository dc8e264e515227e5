"""The verifier table: balanced accuracy and seconds per pair of each verifier on each labelled set, saved beside the
previous one so that a change shows against the figures it replaces."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from eval.verifier import LABELS, LLMJudge, Verifier


@dataclass(frozen=True)
class PairSet:
    path: Path
    held_out: bool  # only the odd lines: the even lines tuned the rules, the examples and the learned model

    @property
    def name(self) -> str:
        return self.path.stem + (" (odd lines)" if self.held_out else "")

    def rows(self) -> list[dict]:
        rows = [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows[1::2] if self.held_out else rows


def check_rows(rows: list[dict]) -> int:
    """How many rows lack a claim, a passage or a label in LABELS."""
    return sum(r.get("label") not in LABELS or not r.get("claim") or not r.get("passage") for r in rows)


def judges_of(verifier: object) -> list[LLMJudge]:
    """The LLM judges a verifier asks, whose time the cache may already hold."""
    if isinstance(verifier, LLMJudge):
        return [verifier]
    inner = getattr(verifier, "judge_model", None)
    return [inner] if isinstance(inner, LLMJudge) else []


def measure(verifier: Verifier, rows: list[dict]) -> tuple[dict, list[tuple[dict, object]]]:
    """The verifier's figures on rows, and its wrong verdicts. Seconds per pair count the judge's time as measured
    when each pair was first asked (a cached answer costs what it cost then), plus everything else as run now."""
    judges = judges_of(verifier)
    before = [(j.seconds, j.live_seconds) for j in judges]
    start = time.perf_counter()
    verdicts = [
        verifier.judge(r["claim"], r["passage"], r.get("question", ""))
        for r in tqdm(rows, desc=verifier.name, unit="pair", leave=False)
    ]
    elapsed = time.perf_counter() - start
    elapsed += sum((j.seconds - s) - (j.live_seconds - live) for j, (s, live) in zip(judges, before, strict=True))
    gold = [r["label"] for r in rows]
    is_bad = [g != "supported" for g in gold]
    said_bad = [v.label != "supported" for v in verdicts]
    tp = sum(a and b for a, b in zip(is_bad, said_bad, strict=True))
    tn = sum(not a and not b for a, b in zip(is_bad, said_bad, strict=True))
    figures = {
        "pairs": len(rows),
        "balanced_accuracy": round(0.5 * (tp / max(1, sum(is_bad)) + tn / max(1, len(rows) - sum(is_bad))), 3),
        "accuracy_3_labels": round(sum(v.label == g for v, g in zip(verdicts, gold, strict=True)) / len(rows), 3),
        "seconds_per_pair": round(elapsed / len(rows), 3),
        # The floor of any contradiction rate measured with this verifier: a faithful answer is scored this much.
        "supported_called_contradicted": round(
            sum(g == "supported" and v.label == "contradicted" for v, g in zip(verdicts, gold, strict=True))
            / max(1, gold.count("supported")),
            3,
        ),
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
    }
    wrong = [(r, v) for r, v, a, b in zip(rows, verdicts, is_bad, said_bad, strict=True) if a != b]
    return figures, wrong


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"cells": {}}


def save(path: Path, cells: dict[str, dict[str, dict]], order: list[str]) -> None:
    """The saved table with these cells replaced, as JSON and as a Markdown table beside it, columns in order."""
    saved = load(path)
    for set_name, row in cells.items():
        saved["cells"].setdefault(set_name, {}).update(row)
    saved["updated"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    present = {v for row in saved["cells"].values() for v in row}
    columns = [v for v in order if v in present]
    path.with_suffix(".md").write_text(render(saved["cells"], columns, {}) + "\n", encoding="utf-8")


def render(cells: dict[str, dict[str, dict]], columns: list[str], previous: dict[str, dict[str, dict]]) -> str:
    """A Markdown table: balanced accuracy · seconds per pair, and the previous figures in brackets where they differ."""

    def cell(set_name: str, column: str) -> str:
        now = cells.get(set_name, {}).get(column)
        if not now:
            return "–"
        text = f"{now['balanced_accuracy']:.3f} · {now['seconds_per_pair']:.2f} s"
        was = previous.get(set_name, {}).get(column)
        if was and (was["balanced_accuracy"], was["seconds_per_pair"]) != (now["balanced_accuracy"], now["seconds_per_pair"]):
            text += f" (was {was['balanced_accuracy']:.3f} · {was['seconds_per_pair']:.2f} s)"
        return text

    lines = ["| pairs | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for set_name in cells:
        pairs = next(iter(cells[set_name].values()))["pairs"]
        lines.append(f"| {set_name} ({pairs}) | " + " | ".join(cell(set_name, c) for c in columns) + " |")
    return "\n".join(lines)
