"""Dates as replies write them (2024年5月9日, 2024-05-09, 2024.5.9) and as the index keeps them (2024-05-09)."""

from __future__ import annotations

import re

DATE = re.compile(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?")
# The signing date closes a paragraph: a date in the body is about something else.
CLOSING_DATE = re.compile(DATE.pattern + r"\s*$")
# A paragraph that is nothing but a date: the signature's date line.
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# A date stated in a sentence, as one fact: "2023年1月1日", "5月9日", "3月".
STATED_DATE = re.compile(r"(?<!\d)(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?")
YEAR = re.compile(r"(?:19|20)\d\d")


def iso_date(text: str) -> str:
    """The first date in text as YYYY-MM-DD, or empty."""
    match = DATE.search(text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def chinese_date(iso: str) -> str:
    """2021-07-08 as the replies write it, 2021年7月8日."""
    year, _, rest = iso.partition("-")
    month, _, day = rest.partition("-")
    return f"{int(year)}年{int(month)}月{int(day)}日" if year and month and day else ""


def years(text: str | None) -> tuple[int | None, int | None]:
    """A year ("2023") or a range ("2022-2024", "2022至2024") as (first, last); text without a year gives (None, None)."""
    found = re.findall(r"\d{4}", text or "")
    return (int(found[0]), int(found[-1])) if found else (None, None)
