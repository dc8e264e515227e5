"""Read a reply file of any supported format into raw text."""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from charset_normalizer import from_bytes

from settings import TableColumns
from text.kinds import KINDS

TABLE_SUFFIXES = (".xlsx", ".csv")
T = TypeVar("T")
log = logging.getLogger(__name__)


class UnreadableFile(Exception):
    """A file that cannot be indexed; the message says why, the build reports it and goes on."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_plain_text(path: Path) -> str:
    """UTF-8 first (with or without BOM), else the detected encoding (GBK/GB18030 and others)."""
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(path, "binary content, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise UnreadableFile(path, "unknown text encoding") from None
        return str(best)


def read_docx(path: Path) -> str:
    """Paragraphs and table rows in document order."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                lines.append("｜".join(cell.text.strip() for cell in row.cells if cell.text.strip()))
    return "\n\n".join(lines)


_PAGE_NUMBER = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|[-—–]?\s*\d+\s*[-—–]?|\d+\s*/\s*\d+|page\s*\d+)\s*$", re.I
)


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers, and headers or footers that repeat at the top or bottom of most pages."""

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip())

    edge_counts: dict[str, int] = {}
    for lines in pages:
        for line in {shape(x) for x in lines[:2] + lines[-2:] if x.strip()}:
            edge_counts[line] = edge_counts.get(line, 0) + 1
    repeated = {line for line, n in edge_counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}

    def running(line: str, position: int, count: int) -> bool:
        at_edge = position < 2 or position >= count - 2
        return bool(_PAGE_NUMBER.match(line)) or (at_edge and shape(line) in repeated)

    return [[x for i, x in enumerate(lines) if not running(x, i, len(lines))] for lines in pages]


def read_pdf(path: Path) -> str:
    """The text layer without running headers, footers and page numbers; a PDF without one needs OCR."""
    from pypdf import PdfReader

    pages = [(page.extract_text() or "").splitlines() for page in PdfReader(str(path)).pages]
    if not any(line.strip() for lines in pages for line in lines):
        raise UnreadableFile(path, "needs OCR: the PDF has no text layer")
    return "\n".join("\n".join(lines) for lines in drop_running_lines(pages))


def read_html(path: Path) -> str:
    """The article body of a saved web page, without navigation, scripts or footers."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_plain_text(path), "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]):
        tag.decompose()
    body = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = body.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "div"])
    lines = [b.get_text(" ", strip=True) for b in blocks if not b.find(["p", "div", "li", "h1", "h2", "h3", "td"])]
    return "\n\n".join(line for line in lines if line)


@dataclass(frozen=True)
class SourceDocument:
    """One reply as a file holds it: the whole file, or one row of a spreadsheet export."""

    locator: str  # "" for a whole file, "#<row id>" for a row
    text: str
    fields: dict[str, str] = field(default_factory=dict)  # stated by the export's columns, over what parsing finds


def table_rows(path: Path) -> Iterator[list[str]]:
    """Rows of the first sheet of an XLSX file, or of a CSV file in any encoding, as strings."""
    if path.suffix.lower() == ".csv":
        yield from csv.reader(io.StringIO(read_plain_text(path)))
        return
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # many exporters write a wrong sheet size: read every row there is
        for row in sheet.iter_rows(values_only=True):
            yield ["" if value is None else str(value) for value in row]
    finally:
        workbook.close()


def read_table(path: Path, columns: TableColumns) -> tuple[list[SourceDocument], list[UnreadableFile]]:
    """One document per row with a reply; rows without one are reported by row number, the rest go on."""
    rows = table_rows(path)
    header = [name.strip() for name in next(rows, [])]
    if columns.reply not in header:
        shown = "、".join(h for h in header if h) or "(none)"
        raise UnreadableFile(path, f"no reply column '{columns.reply}' (setting table_columns.reply); the columns are {shown}")
    position = {role: header.index(name) for role, name in columns.model_dump().items() if name and name in header}
    documents, problems, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        cell = {role: row[i].strip() if i < len(row) else "" for role, i in position.items()}
        locator = f"#{cell.get('id') or f'row{number}'}"
        locator = f"{locator}@row{number}" if locator in seen else locator  # an id given twice still names one row
        seen.add(locator)
        if not cell["reply"]:
            if any(value.strip() for value in row):
                problems.append(UnreadableFile(Path(f"{path}{locator}"), f"row {number}: the reply cell is empty"))
            continue
        fields = {role: value for role, value in cell.items() if role not in ("reply", "id") and value}
        if fields.get("kind") and fields["kind"] not in KINDS:
            log.warning("%s%s: kind %r is not one of %s; read from the reply instead", path, locator, fields.pop("kind"), KINDS)
        documents.append(SourceDocument(locator, cell["reply"], fields))
    return documents, problems


_READERS = {
    ".txt": read_plain_text,
    ".md": read_plain_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
# Every kind of file the index reads: one reply a file, or one a row of an export.
READABLE_SUFFIXES = (*_READERS, *TABLE_SUFFIXES)


# DOCX and XLSX files are zip packages; one that begins as a zip but is not a whole one was cut short or corrupted
# (python-docx would call it "Package not found").
_ZIPPED = (".docx", ".xlsx")
_ZIP_START = b"PK\x03\x04"


def _read_guarded(path: Path, reader: Callable[[Path], T]) -> T:
    """Run a reader; any failure of a corrupt file becomes an UnreadableFile, so one file never stops a build."""
    try:
        if path.suffix.lower() in _ZIPPED and _cut_short(path):
            raise UnreadableFile(path, f"damaged: the {path.suffix.lower()[1:]} file is incomplete or corrupted")
        return reader(path)
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(path, f"cannot be read as {path.suffix.lower()[1:]}: {error}") from error


def _cut_short(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(_ZIP_START)) == _ZIP_START and not zipfile.is_zipfile(path)


def read_file(path: Path) -> str:
    """Raw text of a single-reply file, or UnreadableFile naming the path and the reason."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(path, f"unsupported file type {path.suffix or '(none)'}")
    text = _read_guarded(path, reader)
    if not text.strip():
        raise UnreadableFile(path, "empty: no text in the file")
    return text


def read_documents(path: Path, columns: TableColumns) -> tuple[list[SourceDocument], list[UnreadableFile]]:
    """The replies a file holds, and the rows of an export that could not be read; an unreadable file raises."""
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return [SourceDocument("", read_file(path))], []
    return _read_guarded(path, lambda p: read_table(p, columns))  # a header alone: every row was deleted
