"""What a reply is: its header fields and its section tree, parsed from normalised text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from text.dates import CLOSING_DATE, DATE_LINE, iso_date
from text.formulas import CONTACT
from text.headings import heading_level
from text.instructions import addresses_model, instructions
from text.kinds import kind_of
from text.offices import LIST_SEP, OFFICE_LINE, OFFICE_NAME, OFFICE_SUFFIX, ROLE_WORD, SELF, TRAILING_ETC
from text.sentences import TERMINALS, ends_statement

SAMPLE_MARK = "【样例文档】"

_MAX_TITLE_CHARS = 120
_NUMBER = re.compile(r"第\s*(\d{4,})\s*号")
_SESSION = re.compile(r"([区市省县][^，。\s关于]{0,4}?[一二三四五六七八九十\d]+届(?:人大|政协)?[^，。\s]{0,12}?会议)")
_ADDRESSEE = re.compile(r"^尊敬的(.{1,12}?(?:代表|委员))[：:]", re.M)
_SUBJECT = re.compile(r"“(关于[^”]{2,80}?的(?:建议|提案|意见))”")
SIGNATURE_PATH = "落款"
SAMPLE_NOTE_PATH = "样例说明"
# Handling roles: one 主办 (lead) office answers a suggestion, 会办 (co-handling) offices contribute to it.
# The roles are stated in the title ("……的主办意见") or in the paragraphs before the first heading.
_MAX_OPENING_PARAGRAPHS = 6
_ROLE_IN_TITLE = re.compile(r"的(主办|会办)(?:意见|答复)$")
_NAME = r"[^\s，,。；;：:、“”]"
_NAMES = r"[^\s，,。；;：:“”]"
_FIELD_END = r"(?=[\s，。；;]|$|[主会协]办单位|联系人)"
_LEAD_LABEL = re.compile(rf"主办单位(?:[：:]|为|是)({_NAME}{{2,40}}?){_FIELD_END}", re.M)
_LEAD_BY = re.compile(rf"由({_NAME}{{2,40}}?)(?:牵头|负责)?主办")
_LEAD_AS = re.compile(rf"({_NAME}{{2,40}}?)(?:作为|为|是)(?:本(?:建议|提案)的?)?主办单位")
_CO_LABEL = re.compile(rf"会办单位(?:[：:]|为|是)({_NAMES}{{2,200}}?){_FIELD_END}", re.M)
_CO_AFTER_LEAD = re.compile(rf"主办[，、]({_NAMES}{{2,200}}?)(?:共同)?会办(?!单位|意见)")
_CO_AS = re.compile(rf"({_NAMES}{{2,200}}?)(?:作为|为|是)会办单位")
_CO_CONVENED = re.compile(rf"会同({_NAMES}{{2,200}}?)等?会办单位")
# The offices a self-declared lead convenes ("我局作为主办单位，会同……进行了认真研究") are its co-handlers;
# the list ends at its last office name, before the verb.
_CO_CONVENED_BY_LEAD = re.compile(
    rf"主办单位[，,]?会同({_NAMES}{{1,200}}?{OFFICE_SUFFIX})(?=等|进行|对|认真|共同|研究|办理|开展)"
)
_CO_PATTERNS = (_CO_LABEL, _CO_AFTER_LEAD, _CO_AS, _CO_CONVENED, _CO_CONVENED_BY_LEAD)


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
    lead_office: str = ""
    co_offices: str = ""
    date: str = ""
    contact: str = ""
    is_sample: bool = False
    instructions: str = ""  # sentences that address a model, one a line: in the text, in no chunk
    sections: list[Section] = field(default_factory=list)

    def metadata(self) -> dict[str, str | bool]:
        """Flat fields for the index, sections left out."""
        return {k: v for k, v in self.__dict__.items() if k != "sections"}


def paragraphs_with_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; paragraphs are separated by blank lines."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


def _is_signature(paragraph: str) -> bool:
    """The signing office, the date or the contact line that close a reply."""
    return bool(OFFICE_LINE.match(paragraph) or DATE_LINE.match(paragraph) or CONTACT.search(paragraph))


def section_tree(text: str) -> list[Section]:
    """Every paragraph with the path of headings above it."""
    open_headings: dict[int, str] = {}
    sections = []
    for start, end in paragraphs_with_offsets(text):
        paragraph = text[start:end]
        # An order dressed as a heading would travel in every chunk's section path: it is body text, left out as such.
        level = None if addresses_model(paragraph) else heading_level(paragraph)
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


def _opening(body: list[str]) -> str:
    """The paragraphs after the title and before the first heading."""
    opening = []
    for paragraph in body[1 : _MAX_OPENING_PARAGRAPHS + 1]:
        if heading_level(paragraph) is not None:
            break
        opening.append(paragraph)
    return "\n".join(opening)


def _office(name: str, signing_office: str) -> str:
    """An office as the text names it, 我局/本局 read as the signing office; empty if name is no office."""
    name = TRAILING_ETC.sub("", name.strip())
    if SELF.search(name):
        return signing_office
    return name if OFFICE_NAME.fullmatch(name) and not ROLE_WORD.search(name) else ""


def _lead_office(title: str, opening: str, signing_office: str) -> str:
    stated = sorted((m.start(), m.group(1)) for p in (_LEAD_LABEL, _LEAD_BY, _LEAD_AS) for m in p.finditer(opening))
    for _, name in stated:
        if office := _office(name, signing_office):
            return office
    role = _ROLE_IN_TITLE.search(title)
    return signing_office if role and role.group(1) == "主办" else ""


def _co_offices(title: str, opening: str, signing_office: str) -> str:
    """The co-handling offices in the order the text names them, joined with "、"."""
    role = _ROLE_IN_TITLE.search(title)
    named = [signing_office] if role and role.group(1) == "会办" else []
    for _, names in sorted((m.start(), m.group(1)) for p in _CO_PATTERNS for m in p.finditer(opening)):
        named += [_office(name, signing_office) for name in LIST_SEP.split(names)]
    return "、".join(dict.fromkeys(name for name in named if name))


def _is_title(paragraph: str) -> bool:
    return len(paragraph) <= _MAX_TITLE_CHARS and not ends_statement(paragraph) and not any(t in paragraph for t in TERMINALS)


def parse_reply(text: str) -> ReplyFields:
    """Header fields and section tree of a normalised reply."""
    paragraphs = [text[s:e] for s, e in paragraphs_with_offsets(text)]
    is_sample = bool(paragraphs) and paragraphs[0].startswith(SAMPLE_MARK)
    body = paragraphs[1:] if is_sample else paragraphs
    # A title is a short first line that states nothing; a reply that starts straight with its text has none. An order
    # is no title: the title goes with every chunk.
    title = body[0] if body and _is_title(body[0]) and not addresses_model(body[0]) else ""
    head = "\n".join(body[:3])
    tail = body[-4:]
    number = _NUMBER.search(head)
    session = _SESSION.search(title)
    addressee = _ADDRESSEE.search(head)
    subject = _SUBJECT.search(head)
    contact = CONTACT.search("\n".join(tail))
    office = next((p for p in reversed(tail) if OFFICE_LINE.match(p)), "")
    date = next((iso_date(m.group(0)) for p in reversed(tail) if (m := CLOSING_DATE.search(p))), "")
    opening = _opening(body)
    return ReplyFields(
        title=title,
        kind=kind_of(title, next(iter(body[1:] if title else body), "")),
        number=number.group(1) if number else "",
        session=session.group(1) if session else "",
        addressee=addressee.group(1) if addressee else "",
        subject=subject.group(1) if subject else "",
        signing_office=office,
        lead_office=_lead_office(title, opening, office),
        co_offices=_co_offices(title, opening, office),
        date=date,
        contact=f"{contact.group(1)} {contact.group(2)}" if contact else "",
        is_sample=is_sample,
        instructions="\n".join(instructions(text)),
        sections=section_tree(text),
    )
