"""What a reply is: its header fields and its section tree, parsed from normalised text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.normalize import DATE_LINE

SAMPLE_MARK = "【样例文档】"

_HEADING_LEVELS = (
    re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章节部分]"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^（[一二三四五六七八九十]+）"),
    re.compile(r"^(\d+(?:、|[．.](?!\d))|（\d+）|第[一二三四五六七八九十百\d]+条)"),
)
# A numbered line longer than this is a numbered paragraph, not a heading.
_MAX_HEADING_CHARS = 60
_DATE = re.compile(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?")
_NUMBER = re.compile(r"第\s*(\d{4,})\s*号")
_SESSION = re.compile(r"([区市省县][^，。\s关于]{0,4}?[一二三四五六七八九十\d]+届(?:人大|政协)?[^，。\s]{0,12}?会议)")
_ADDRESSEE = re.compile(r"^尊敬的(.{1,12}?(?:代表|委员))[：:]", re.M)
_SUBJECT = re.compile(r"“(关于[^”]{2,80}?的(?:建议|提案|意见))”")
_CONTACT = re.compile(r"联系人[：:]\s*([^\s，,）)]+?)[\s，,]*(?:联系)?电话[：:]\s*([\d\-]+)")
SIGNATURE_PATH = "落款"
SAMPLE_NOTE_PATH = "样例说明"
_OFFICE_LINE = re.compile(r"^[^\s，。：；]{2,30}(?:局|委|委员会|办公室|办|政府|中心|院|署|厅|部)$")


@dataclass(frozen=True)
class Section:
    """A span of the document under one heading path such as "二、… > （一）…"."""

    start: int
    end: int
    path: str
    is_heading: bool


@dataclass
class ReplyFields:
    """Header fields of a reply; a field the text does not state stays empty."""

    title: str = ""
    kind: str = ""
    number: str = ""
    session: str = ""
    addressee: str = ""
    subject: str = ""
    signing_office: str = ""
    date: str = ""
    contact: str = ""
    is_sample: bool = False
    sections: list[Section] = field(default_factory=list)

    def metadata(self) -> dict[str, str | bool]:
        """Flat fields for the index, sections left out."""
        return {k: v for k, v in self.__dict__.items() if k != "sections"}


def iso_date(text: str) -> str:
    """The first date in text as YYYY-MM-DD, or empty."""
    match = _DATE.search(text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else ""


def heading_level(paragraph: str) -> int | None:
    """0-based depth of a heading line, or None for body text."""
    if len(paragraph) > _MAX_HEADING_CHARS or paragraph.endswith(("。", "；")):
        return None
    for level, pattern in enumerate(_HEADING_LEVELS):
        if pattern.match(paragraph):
            return level
    return None


def paragraphs_with_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; paragraphs are separated by blank lines."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


def _is_signature(paragraph: str) -> bool:
    """The signing office, the date or the contact line that close a reply."""
    return bool(_OFFICE_LINE.match(paragraph) or DATE_LINE.match(paragraph) or _CONTACT.search(paragraph))


def section_tree(text: str) -> list[Section]:
    """Every paragraph with the path of headings above it."""
    open_headings: dict[int, str] = {}
    sections = []
    for start, end in paragraphs_with_offsets(text):
        paragraph = text[start:end]
        level = heading_level(paragraph)
        if paragraph.startswith(SAMPLE_MARK):
            sections.append(Section(start, end, SAMPLE_NOTE_PATH, False))
            continue
        if level is None and _is_signature(paragraph):
            sections.append(Section(start, end, SIGNATURE_PATH, False))
            continue
        if level is not None:
            open_headings = {k: v for k, v in open_headings.items() if k < level}
            open_headings[level] = paragraph
        path = " > ".join(open_headings[k] for k in sorted(open_headings))
        sections.append(Section(start, end, path, level is not None))
    return sections


def _kind(head: str) -> str:
    if "提案" in head or "政协" in head:
        return "政协提案"
    if "建议" in head or "人大" in head:
        return "代表建议"
    if "留言" in head or "来信" in head:
        return "群众留言"
    return ""


def parse_reply(text: str) -> ReplyFields:
    """Header fields and section tree of a normalised reply."""
    paragraphs = [text[s:e] for s, e in paragraphs_with_offsets(text)]
    is_sample = bool(paragraphs) and paragraphs[0].startswith(SAMPLE_MARK)
    body = paragraphs[1:] if is_sample else paragraphs
    title = body[0] if body else ""
    head = "\n".join(body[:3])
    tail = body[-4:]
    number = _NUMBER.search(head)
    session = _SESSION.search(title)
    addressee = _ADDRESSEE.search(head)
    subject = _SUBJECT.search(head)
    contact = _CONTACT.search("\n".join(tail))
    office = next((p for p in reversed(tail) if _OFFICE_LINE.match(p)), "")
    date = next((iso_date(p) for p in reversed(tail) if iso_date(p)), "")
    return ReplyFields(
        title=title if len(title) <= 120 else title[:120],
        kind=_kind(head),
        number=number.group(1) if number else "",
        session=session.group(1) if session else "",
        addressee=addressee.group(1) if addressee else "",
        subject=subject.group(1) if subject else "",
        signing_office=office,
        date=date,
        contact=f"{contact.group(1)} {contact.group(2)}" if contact else "",
        is_sample=is_sample,
        sections=section_tree(text),
    )
