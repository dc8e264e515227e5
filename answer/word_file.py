"""A draft or a chat answer as Word documents laid out as GB/T 9704 asks (answer/page_layout.py), in two copies: the
checking copy, with its [n] markers, the checker's marks and notes and the sources after the text; and the clean copy to
send, without them, its sources a 附件 on a page of their own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from answer import page_layout as layout
from answer.citations import source_lines
from answer.draft import COVERED
from text.headings import LEVELS
from text.markers import strip_markers

# How a paragraph is set. NOTE: the checker's word to staff (dated figures, sentences left out), not in the clean copy.
BODY, HEADING, SIGNATURE, NOTE = "body", "heading", "signature", "note"
ANNEX_NOTE = "annex-note"  # 附件：资料来源, under the clean copy's body
CHECKING, CLEAN = "核对稿", "清稿"
SOURCES = "资料来源"
ANNEX = "附件"
# A run of text and whether the checker marks it (underlined: a figure from a reply over two years old).
Run = tuple[str, bool]
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')
_NAME_CHARS = 40


@dataclass
class Paper:
    """What the document says, in order: its title, its paragraphs each with how it is set, and its sources."""

    title: str
    paragraphs: list[tuple[str, list[Run]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, kind: str, *texts: str) -> None:
        self.paragraphs += [(kind, [(text, False)]) for text in texts]


def draft_paper(draft: dict) -> Paper:
    """A draft (Draft.to_dict()) as the reply it will become: a placeholder stays visible for staff to fill in."""
    paper = Paper(draft["title"])
    paper.add(BODY, draft["salutation"], draft["opening"])
    for section in draft["sections"]:
        paper.add(HEADING, section["heading"])
        if section["status"] != COVERED:  # before what a related precedent offers, for staff to weigh
            paper.add(BODY, section["placeholder"])
        if section["sentences"]:
            paper.paragraphs.append((BODY, [(s["text"], bool(s.get("stale"))) for s in section["sentences"]]))
            paper.add(NOTE, *section["notes"])
    heading, *plans = draft["next_steps"]
    paper.add(HEADING, heading)
    paper.add(BODY, *plans, draft["closing"])
    for line in draft["signature"]:  # the contact line is a 附注: under the date, set as body (GB/T 9704 7.3.5.4)
        paper.add(BODY if line.startswith("（") else SIGNATURE, line)
    paper.sources = source_lines(draft["citations"])
    return paper


def answer_paper(answer: dict) -> Paper:
    """A chat answer (Answer.to_dict()): the question, the reply's own sentences, the checked summary, sources."""
    paper = Paper(f"关于“{answer['question']}”的回答")
    if answer.get("quotes"):
        paper.add(HEADING, "答复原文")
        paper.add(BODY, *(f"“{q['text']}”[{q['n']}]（{q['title']}）" for q in answer["quotes"]))
        paper.add(HEADING, "摘要")
    paper.add(BODY, answer["answer"])
    if answer.get("notice"):
        paper.add(NOTE, answer["notice"])
    paper.add(BODY, *(f"{n}. {strip_markers(r['title'])}" for n, r in enumerate(answer.get("related", []), 1)))
    cited = answer.get("citations", [])
    quoted = [q for q in answer.get("quotes", []) if not any(c["n"] == q["n"] and c["text"] == q["text"] for c in cited)]
    paper.sources = source_lines(quoted + cited)
    return paper


def cleaned(paper: Paper) -> Paper:
    """The copy to send: no [n] markers, no marks or notes of the checker, the sources numbered without brackets and
    named after the text as its 附件 (GB/T 9704 7.3.4: under the body, before the signature). Placeholders (【待补充…】)
    stay for staff to fill in."""
    paragraphs = [(kind, [(strip_markers(t), False) for t, _ in runs]) for kind, runs in paper.paragraphs if kind != NOTE]
    if paper.sources:
        signed = next((i for i, (kind, _) in enumerate(paragraphs) if kind == SIGNATURE), len(paragraphs))
        paragraphs.insert(signed, (ANNEX_NOTE, [(f"{ANNEX}：{SOURCES}", False)]))
    sources = [f"{n}．{strip_markers(line).strip()}" for n, line in enumerate(paper.sources, 1)]
    return Paper(strip_markers(paper.title), paragraphs, sources)


def copy_paths(folder: Path, title: str) -> tuple[Path, Path]:
    """核对稿《title》.docx and 清稿《title》.docx in folder (which copy first: a file list cuts long names short), the title
    cut short and rid of what a file name cannot hold."""
    name = _NOT_IN_FILE_NAMES.sub("", title)
    name = name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"
    return folder / f"{CHECKING}《{name}》.docx", folder / f"{CLEAN}《{name}》.docx"


def write_copies(paper: Paper, checking: Path, clean: Path) -> list[Path]:
    """Both copies of the paper: the checking copy at checking, the clean copy at clean."""
    return [write_docx(paper, checking), write_docx(paper, clean, clean=True)]


def write_docx(paper: Paper, path: Path, clean: bool = False) -> Path:
    """The paper as a .docx at path: the checking copy, or the clean copy with its sources as a 附件."""
    if clean:
        paper = cleaned(paper)
    document = Document()
    _lay_out(document)
    _paragraph(document, [(paper.title, False)], layout.TITLE_FONT, layout.TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, after=1)
    previous = ""
    for kind, runs in paper.paragraphs:
        before = int(kind in (SIGNATURE, ANNEX_NOTE) and kind != previous)  # a blank line above each (7.3.4, 7.3.5)
        if kind == HEADING:
            _paragraph(document, runs, _heading_font(runs[0][0]), layout.BODY_PT)
        else:
            align = WD_ALIGN_PARAGRAPH.RIGHT if kind == SIGNATURE else None
            _paragraph(document, runs, layout.BODY_FONT, layout.BODY_PT, align, before=before)
        previous = kind
    if paper.sources and clean:
        annex = _paragraph(document, [(ANNEX, False)], layout.HEADING_FONTS[0], layout.BODY_PT, WD_ALIGN_PARAGRAPH.LEFT)
        annex.paragraph_format.page_break_before = True  # a page of its own, 附件 in its top left corner, the title on line 3
        _paragraph(document, [(SOURCES, False)], layout.TITLE_FONT, layout.TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, 1, 1)
    elif paper.sources:
        _paragraph(document, [(SOURCES, False)], layout.HEADING_FONTS[0], layout.BODY_PT, before=1)
    for line in paper.sources:
        _paragraph(document, [(line, False)], layout.BODY_FONT, layout.BODY_PT)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _heading_font(heading: str) -> str:
    """The font of the heading's level: 第…部分, "一、" and an unnumbered heading (答复原文) are 一级, then "（一）", then
    "1." and "（1）" alike (text/headings.py reads both as its deepest level)."""
    depth = next((depth for depth, level in enumerate(LEVELS) if level.match(heading)), 0)
    return layout.HEADING_FONTS[max(depth - 1, 0)]


def _lay_out(document) -> None:
    """A4, the margins, the 22×28 grid, body text as the default for what staff type, page numbers in the footer."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(layout.PAGE_WIDTH_MM), Mm(layout.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(layout.TOP_MM), Mm(layout.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(layout.LEFT_MM), Mm(layout.RIGHT_MM)
    section.footer_distance = Mm(layout.FOOTER_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(layout.LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(layout.CHAR_SPACE))
    normal = document.styles["Normal"]
    normal.font.size = Pt(layout.BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), layout.BODY_FONT)
    _spacing(normal.paragraph_format, indent=True)
    normal.paragraph_format.line_spacing = Twips(layout.LINE_PITCH_TWIPS)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = 0
    # Odd pages carry the number on the right, even pages on the left, each one character in from the edge (7.5).
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], right=True)
    _page_number(section.even_page_footer.paragraphs[0], right=False)


def _paragraph(document, runs: list[Run], font: str, size: float, align=None, before: int = 0, after: int = 0):
    """A paragraph on the grid: exact line spacing, the first line indented two characters unless aligned otherwise,
    before/after that many blank lines; a run the checker marks is underlined."""
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    form = paragraph.paragraph_format
    _spacing(form, indent=align is None, right=align == WD_ALIGN_PARAGRAPH.RIGHT)
    form.line_spacing = Twips(layout.LINE_PITCH_TWIPS)
    form.space_before, form.space_after = Twips(before * layout.LINE_PITCH_TWIPS), Twips(after * layout.LINE_PITCH_TWIPS)
    for text, marked in runs:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.underline = marked or None
        _fonts(run._element.get_or_add_rPr(), font)
    return paragraph


def _spacing(form, indent: bool, right: bool = False) -> None:
    """Two characters in on the first line (body) or from the right (signature); in characters, so Word keeps to the
    grid, and in points for programs that do not read those."""
    two = Pt(layout.INDENT_CHARS * layout.BODY_PT)
    form.first_line_indent = two if indent else 0
    form.right_indent = two if right else None
    ind = form._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(layout.INDENT_CHARS * 100 if indent else 0))
    if right:
        ind.set(qn("w:rightChars"), str(layout.INDENT_CHARS * 100))


def _fonts(rPr, font: str) -> None:
    """The font for Chinese (w:eastAsia, which Word uses for CJK text) and for digits and Latin letters alike."""
    fonts = rPr.get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), font)


def _page_number(paragraph, right: bool) -> None:
    """— n — in 4号 宋体, one character in from the right (odd pages) or the left (even pages)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    form = paragraph.paragraph_format
    one = Pt(layout.PAGE_NUMBER_PT)
    form.first_line_indent = 0
    form.right_indent, form.left_indent = (one, None) if right else (None, one)
    form.line_spacing = Pt(layout.PAGE_NUMBER_PT)
    form.space_before = form.space_after = 0
    parts = [("text", "— "), ("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", ""), ("text", " —")]
    for part, text in parts:
        run = paragraph.add_run(text if part == "text" else "")
        run.font.size = Pt(layout.PAGE_NUMBER_PT)
        _fonts(run._element.get_or_add_rPr(), layout.PAGE_NUMBER_FONT)
        if part == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._element.append(code)
        elif part != "text":
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), part)
            run._element.append(mark)
