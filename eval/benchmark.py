"""What every benchmark does with its figures: print them beside a baseline and an earlier run, and keep them."""

from __future__ import annotations

import json
from pathlib import Path


def load_earlier(path: Path | None) -> dict | None:
    """An earlier run's figures, to print beside this run's."""
    return json.loads(path.read_text(encoding="utf-8")) if path else None


def print_table(title: str, rows: dict[str, dict[str, object]], columns: list[str]) -> None:
    """rows: row name -> {column: value}; a missing value prints as "-"."""
    width = max([len(title), *map(len, rows)]) + 2
    widths = [max(14, len(c) + 2) for c in columns]
    lines = [f"{title:{width}}" + "".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))]
    for name, values in rows.items():
        cells = (f"{_cell(values.get(c, '-')):>{w}}" for c, w in zip(columns, widths, strict=True))
        lines.append(f"{name:{width}}" + "".join(cells))
    print("\n".join(lines))


def print_and_save(title: str, figures: dict, earlier: dict | None, baselines: dict[str, object], note: str, out: Path) -> None:
    """Print this run's figures beside their baselines and the earlier run's, say what the baseline is, and save them."""
    rows = {name: {"this run": value, "earlier run": (earlier or {}).get(name, "-")} for name, value in figures.items()}
    for name, value in baselines.items():
        rows[name]["baseline"] = value
    print()
    print_table(title, rows, ["this run", "baseline", "earlier run"])
    print(note)
    save(out, figures)
    print(f"written to {out}")


def save(path: Path, figures: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
