"""A draft or a chat answer as a Word document laid out as an official reply: title, greeting, body, numbered sections,
signature, then the sources, each with its reply, section and quoted span."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from answer.citations import source_lines
from answer.draft import section_text
from text.markers import strip_markers

# The fonts official replies are set in; Word and LibreOffice fall back to what they have.
_TITLE_FONT, _HEADING_FONT, _BODY_FONT = "宋体", "黑体", "仿宋"
BODY, HEADING, SIGNATURE = "body", "heading", "signature"


@dataclass
class Paper:
    """What the document says, in order: its title, its paragraphs each with how it is set, and its sources."""

    title: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def draft_paper(draft: dict) -> Paper:
    """A draft (Draft.to_dict()) as the reply it will become: a placeholder stays visible for staff to fill in."""
    paper = Paper(draft["title"], [(BODY, draft["salutation"]), (BODY, draft["opening"])])
    for section in draft["sections"]:
        paper.paragraphs += [(HEADING, section["heading"]), (BODY, section_text(section))]
    heading, *plans = draft["next_steps"]
    paper.paragraphs += [(HEADING, heading), *((BODY, p) for p in plans), (BODY, draft["closing"])]
    paper.paragraphs += [(SIGNATURE, line) for line in draft["signature"]]
    paper.sources = source_lines(draft["citations"])
    return paper


def answer_paper(answer: dict) -> Paper:
    """A chat answer (Answer.to_dict()): the question, the reply's own sentences, the checked summary, sources."""
    paper = Paper(f"关于“{answer['question']}”的回答")
    if answer.get("quotes"):
        paper.paragraphs.append((HEADING, "答复原文"))
        paper.paragraphs += [(BODY, f"“{q['text']}”[{q['n']}]（{q['title']}）") for q in answer["quotes"]]
        paper.paragraphs.append((HEADING, "摘要"))
    if answer["refused"]:
        paper.paragraphs.append((BODY, answer["answer"]))
    else:
        paper.paragraphs.append((BODY, answer["answer"]))
    if answer.get("notice"):
        paper.paragraphs.append((BODY, answer["notice"]))
    paper.paragraphs += [(BODY, f"{n}. {strip_markers(r['title'])}") for n, r in enumerate(answer.get("related", []), 1)]
    cited = answer.get("citations", [])
    quoted = [q for q in answer.get("quotes", []) if not any(c["n"] == q["n"] and c["text"] == q["text"] for c in cited)]
    paper.sources = source_lines(quoted + cited)
    return paper


def write_docx(paper: Paper, path: Path) -> Path:
    """Write the paper as a .docx at path."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, paper.title, _TITLE_FONT, Pt(18), bold=True)
    for kind, text in paper.paragraphs:
        paragraph = document.add_paragraph()
        if kind == HEADING:
            _run(paragraph, text, _HEADING_FONT, Pt(14))
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if kind == SIGNATURE else None
            paragraph.paragraph_format.first_line_indent = None if kind == SIGNATURE else Pt(28)
            _run(paragraph, text, _BODY_FONT, Pt(14))
    if paper.sources:
        _run(document.add_paragraph(), "资料来源", _HEADING_FONT, Pt(12), bold=True)
        for line in paper.sources:
            _run(document.add_paragraph(), line, _BODY_FONT, Pt(10.5))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _run(paragraph, text: str, font: str, size, bold: bool = False) -> None:
    """Text in a paragraph, in a Chinese font (python-docx sets only the Latin one unless told the East Asian one)."""
    from docx.oxml.ns import qn

    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = size
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
