"""Read a reply file of any supported format into raw text."""

from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


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


_READERS = {
    ".txt": read_plain_text,
    ".md": read_plain_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}


def read_file(path: Path) -> str:
    """Raw text of a supported file, or UnreadableFile naming the path and the reason."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(path, f"unsupported file type {path.suffix or '(none)'}")
    try:
        text = reader(path)
    except UnreadableFile:
        raise
    except Exception as error:  # a corrupt file of any kind must not stop the build
        raise UnreadableFile(path, f"cannot be read as {path.suffix.lower()[1:]}: {error}") from error
    if not text.strip():
        raise UnreadableFile(path, "empty: no text in the file")
    return text
