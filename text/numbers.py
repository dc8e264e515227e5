"""Figures as values with their units, however written: "3.6786亿元" is "36786万元", "三百多万" is "300多万"."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import cn2an

from text.markers import strip_markers
from text.normalize import normalize_line

# A number with the unit after it: "50%" and "50万元" are different facts.
NUMBER = re.compile(
    r"(\d+(?:[.,]\d+)*)(%|[万亿千百]?)(平方公里|平方米|公里|小时|分钟|[元个家台件人次处所项批套吨辆宗场座名户条米岁天亩度斤克秒周倍]?)(?!\d)"
)
_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "千": 1000, "百": 100}
# Counters that state the same count: "540名" and "540个" are one fact.
_COUNTERS = "个家台件人次处所项批套座名户条宗场辆"
# Chinese numerals before a counter or unit ("三百多万起", "两个信号周期", "壹拾万元"); a lone 一 is mostly idiom ("一批").
_CHINESE_NUMERAL = re.compile(
    r"(?!一[^零〇一二两三四五六七八九十百千万亿])[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+"
    r"(?=[多余]?[个家台件人次处所项批套吨辆宗场座名户条元万亿日天年月周大类起倍])"
)
_JANUARY = re.compile(r"(?<![\d零〇一二两三四五六七八九十百千万亿])元月")  # not "200元月底前"
# Units of measure written in Latin letters after a figure or a slash ("1.3km", "187.5元/m3"), as a reply may spell
# them in Chinese; longest first, so that "km2" is not read as "km".
_LATIN_UNITS = {
    "km2": "平方公里", "km²": "平方公里", "m2": "平方米", "m²": "平方米", "㎡": "平方米", "m3": "立方米", "m³": "立方米",
    "km": "公里", "kg": "公斤", "cm": "厘米", "mm": "毫米", "m": "米",
}  # fmt: skip
# After a figure that is no part of a code ("A3m", "c30"), or a slash; lower case only: "3M公司", "100M宽带" are no metres.
_LATIN_UNIT = re.compile(rf"((?<![A-Za-z\d.])\d+(?:\.\d+)?|/)({'|'.join(_LATIN_UNITS)})(?![A-Za-z\d.])")


@lru_cache(maxsize=4096)  # the answer check reads each passage's figures again for every claim
def numbers(text: str) -> frozenset[str]:
    """The figures of a text as values with their units; citation markers are not figures."""
    return frozenset(fact(m) for m in NUMBER.finditer(arabic(normalize_line(strip_markers(text)))))


def fact(match: re.Match) -> str:
    """One matched figure as a value with its unit: "1.2万元" is "12000元"."""
    digits, scale, unit = match.groups()
    digits = digits.replace(",", "")
    if digits.count(".") <= 1:  # "1.2.3" is a clause number, kept as written
        digits = format((Decimal(digits) * _MULTIPLIERS.get(scale, 1)).normalize(), "f")
    return digits + (scale if scale == "%" else "个" if unit and unit in _COUNTERS else unit)


def arabic(text: str) -> str:
    """Chinese numerals of counts and amounts in digits, so that "三百多万起" and "300多万起" state one figure."""

    def digits(match: re.Match) -> str:
        try:
            return str(cn2an.cn2an(match.group(0), "smart"))
        except (ValueError, KeyError, IndexError):  # not a numeral cn2an reads ("万一", "一亿二"): leave it
            return match.group(0)

    return _CHINESE_NUMERAL.sub(digits, chinese_units(_JANUARY.sub("1月", text).replace("周岁", "岁")))


def chinese_units(text: str) -> str:
    """Units of measure written in Latin letters spelled in Chinese: "1.3km" is "1.3公里", "元/m3" is "元/立方米"."""
    return _LATIN_UNIT.sub(lambda m: m.group(1) + _LATIN_UNITS[m.group(2)], text)


def stated(figure: str, figures: frozenset[str]) -> bool:
    """The figure is among figures, or its value is, stated without a unit ("6000万元" against "6000万")."""
    return figure in figures or re.sub(r"[^\d.]", "", figure) in figures


def unit(figure: str) -> str:
    """What a figure counts or measures: "元" of "500000元", "" of a bare number."""
    return re.sub(r"[\d.,]", "", figure)


# A sum of money, in figures or in words ("9000元", "1.5万元", "超亿元", "三百元", "5000港元", "￥500"), or none asked
# ("免费"); not 二元结构, 一元化, 三元里 or 第一元素.
SUM_OF_MONEY = re.compile(
    r"[\d〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]\s*(?:美|港|欧|日)?元(?![化素里]|结构)"
    r"|港币|[￥¥]\s*\d|人民币\s*\d|免费|免收|不收取?费"
)

# Numbered names: a bus route, a line, a grade, a building, a period ("5路", "2号线", "D级", "11栋", "6小时"); "五路" is
# "5路".
_DESIGNATION = re.compile(
    r"(?<![A-Za-z\d零〇一二两三四五六七八九十百])([A-Za-z]|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"
    r"(路|号线|号楼|号|级|类|期|栋|座|层|小时|分钟)"
)


def designations(text: str) -> frozenset[str]:
    """The numbered names a text uses, numerals in digits: a reply about route 8 does not answer a question on route 5."""
    return frozenset(_digits(m.group(1)) + m.group(2) for m in _DESIGNATION.finditer(normalize_line(text)))


def _digits(numeral: str) -> str:
    try:
        return numeral if numeral.isascii() else str(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError, IndexError):
        return numeral


def chinese_numeral(n: int) -> str:
    """n as a heading numbers it: 1 is 一, 11 is 十一."""
    return cn2an.an2cn(n)
