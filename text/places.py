"""Places and years a question or a reply names: "A3区", "南湖区", "安沙镇", "2022年"."""

from __future__ import annotations

import re

from text.dates import NAMED_YEAR

# Masked places of the Teddy export ("A市", "A3区", "B9市") and named ones ("南湖区", "黄花镇", "深圳市福田区"): a name starts
# where a word does, or right after the place it lies in.
_PLACE = re.compile(
    r"[A-Z]\d{0,2}[市区县]|(?:(?<![\u4e00-\u9fff])|(?<=[省市县区]))[\u4e00-\u9fff]{2,3}?(?:省|市|区|县|镇|乡|街道)"
)
# Words shaped like a place that name none: kinds of area, one's own area, and words that end in 市 or 区 by chance.
_NOT_PLACES = re.compile(
    r"(?:(?:小|园|城|社|景|校|片|辖|郊|全|本|我|该|各|市|专|展|营|库|矿|厂|灾|赛)区"
    r"|(?:合作|示范|开发|保护|功能|试验|自贸|商业|住宅|居住|中心城|老城|新城|旧城)区"
    r"|(?:上|城|超|都|门|夜|集|股|楼|全|本|我|该|各)市|(?:全|本|我|该|各)[县镇乡省]|(?:乡|城|集|村)镇|居民区)$"
)
# Words that end in front of "区" or "市" when it means "the district's" ("会同区财政局", "由东江市"): no place starts so.
_NOT_A_START = re.compile(
    r"^(?:会同|由|通过|组织|与|方便|丰富|年度|即|建立|以|沿|向|对|在|经|为|将|把|从|按|和|及|协调|督促|推动|联合|配合|我|各|全)"
)
_MASKED = re.compile(r"[A-Z]\d{0,2}[市区县]")
# The code of a masked place as a word cut from it ("a7" of "A7县"): a place, never a subject.
MASKED_CODE = re.compile(r"^[a-z]\d{1,2}$", re.I)
# A follow-up's opening word before a place ("那北湖区呢？"): not part of its name.
_OPENER = re.compile(r"^(?:那么|那|这)(?=[\u4e00-\u9fff]{2})")


def places(text: str) -> set[str]:
    found = set()
    for match in _PLACE.finditer(text):
        name = _OPENER.sub("", match.group(0))
        if not _NOT_PLACES.search(name) and not _NOT_A_START.search(name):
            found.add(name)
    return found


def local_places(text: str) -> set[str]:
    """The places below a city the text names (districts, counties, towns, streets): where a matter is, as "A市" or
    "湖南省" alone does not say."""
    return {name for name in places(text) if not name.endswith(("省", "市"))}


def masked_places(text: str) -> set[str]:
    """The Teddy export's masked places ("A3区"): never a word by chance."""
    return set(_MASKED.findall(text))


def years_named(text: str) -> set[str]:
    return set(NAMED_YEAR.findall(text))


def elsewhere(question: str, passage: str, passage_places: set[str]) -> set[str]:
    """The places and years the question names that the passage does not, where the passage is about others of the
    kind (passage_places: where its office sits, say): a reply about A3区 does not answer a question about A7区, nor
    one about 2019 a question about 2022."""
    asked_places = places(question)
    asked_years, passage_years = years_named(question), years_named(passage)
    missing = set()
    if passage_places and (gone := {p for p in asked_places if p not in passage}):
        missing |= gone
    if passage_years and (gone := {f"{y}年" for y in asked_years if y not in passage}):
        missing |= gone
    return missing


def without_places(text: str) -> str:
    """The text with the places it names taken out: what an earlier question still says once a follow-up names a
    place of its own ("那A7区呢？")."""
    for name in sorted(places(text), key=len, reverse=True):
        text = text.replace(name, "")
    return text


def without_years(text: str) -> str:
    """The text with the years it names taken out ("那2024年呢？" after a question about 2023)."""
    return NAMED_YEAR.sub("", text)
