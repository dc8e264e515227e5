"""Dates as replies write them (2024年5月9日, 2024-05-09, 2024.5.9) and as the index keeps them (2024-05-09)."""

from __future__ import annotations

import re
from datetime import date

import cn2an

DATE = re.compile(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?")
# The signing date closes a paragraph: a date in the body is about something else.
CLOSING_DATE = re.compile(DATE.pattern + r"\s*$")
# A paragraph that is nothing but a date: the signature's date line.
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# A date stated in a sentence, as one fact: "2023年1月1日", "5月9日", "3月".
STATED_DATE = re.compile(r"(?<!\d)(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?")
YEAR = re.compile(r"(?:19|20)\d\d")
# A year a sentence names: "2022年".
NAMED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
# When, said without a full date: an hour, a month in words, a part of a year, the day a rule takes effect.
WHEN = re.compile(
    r"\d{1,2}[:：]\d\d|\d{1,2}\s*[点时](?!\d)|[一二三四五六七八九十]{1,2}月|年底|年初|年内|年中|上半年|下半年|月底|月初|月中|"
    r"季度|之日起|即日起"
)

# By when a plan is to be done, as a reply writes it: "2020年6月底前", "8月份", "今年年底", "年内", "3个工作日内".
DEADLINE = re.compile(
    r"(?:(?:\d{4}|今|明|本)年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}日|底|初|中旬|上旬|下旬|份)?(?:前|之前|以前|内)?"
    r"|(?:\d{4}|今|明|本)年(?:年?底|年?内|初|上半年|下半年|第[一二三四]季度)?(?:前|之前|以前)?"
    r"|年内|年底前?|上半年|下半年|近期|\d+个?(?:工作日|日|天|月)内"
)


def iso_date(text: str) -> str:
    """The first date in text as YYYY-MM-DD, or empty."""
    match = DATE.search(text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def parsed_date(iso: str) -> date | None:
    """A date as the index keeps it (2024-05-09), or None when it is empty or no real day (2023-02-30)."""
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def chinese_date(iso: str) -> str:
    """2021-07-08 as the replies write it, 2021年7月8日."""
    year, _, rest = iso.partition("-")
    month, _, day = rest.partition("-")
    return f"{int(year)}年{int(month)}月{int(day)}日" if year and month and day else ""


_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": 1, "上年": 1, "前年": 2}
_RECENT = re.compile(r"(?:近|最近|过去)([一二两三四五六七八九十\d]+)年")
# No reply on file predates the People's Republic: an earlier year, like one after next year, is a typo.
FIRST_YEAR = 1949


def years(text: str | None, this_year: int | None = None) -> tuple[int | None, int | None]:
    """The years a filter names, as (first, last), either open: "2023", "2022-2024", "2022至2024", "2022年以来",
    "2023年以前", "今年", "去年", "前年", "近三年". Empty text names none; text naming no year, or a year before
    FIRST_YEAR or after next year, is a ValueError."""
    text = (text or "").strip()
    if not text:
        return None, None
    this_year = this_year or date.today().year
    named = re.findall(r"\d{4,}", text)
    if impossible := [y for y in named if len(y) > 4 or not FIRST_YEAR <= int(y) <= this_year + 1]:
        raise ValueError(f"年份“{text}”无法使用：{impossible[0]} 年不在 {FIRST_YEAR} 至 {this_year + 1} 年之间")
    found = [int(y) for y in named]
    found += [this_year - back for word, back in _RELATIVE_YEARS.items() if word in text]
    if recent := _RECENT.search(text):
        span = int(cn2an.cn2an(recent.group(1), "smart"))
        if span < 1:
            raise ValueError(f"年份“{text}”无法识别：近几年至少是近一年")
        return this_year - span + 1, this_year
    if not found:
        raise ValueError(f"年份“{text}”无法识别：请写成 2023、2022-2024、2022年以来、去年 或 近三年")
    first, last = min(found), max(found)
    if len(found) == 1 and re.search(r"以来|以后|之后|起", text):
        return first, None
    if len(found) == 1 and re.search(r"以前|之前|前$", text) and "前年" not in text:
        return None, last
    return first, last
