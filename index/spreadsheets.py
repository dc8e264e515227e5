"""Tables written for a spreadsheet: CSV that Excel opens with its Chinese intact, and XLSX with a sheet per table."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

Rows = Sequence[Sequence[object]]
# Excel's longest sheet name.
_SHEET_NAME_CHARS = 31


def as_text(cell: object) -> object:
    """A cell a spreadsheet would run as a formula ("=…", "+…", "-…", "@…") is kept as the text it is: replies and
    their titles are written by anyone."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def write_csv(path: Path, rows: Rows) -> Path:
    """UTF-8 with a BOM, so that Excel reads the Chinese."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([[as_text(cell) for cell in row] for row in rows])
    return path


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """One sheet per table, named for it."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name[:_SHEET_NAME_CHARS])
        for row in rows:
            sheet.append([as_text(cell) for cell in row])
    workbook.save(path)
    return path
