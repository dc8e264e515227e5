"""Split a reply into chunks on Chinese sentence boundaries, within its sections."""

from __future__ import annotations

from dataclasses import dataclass

from index.structure import SAMPLE_NOTE_PATH, Section
from text.sentences import sentence_spans


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one section, with char offsets into the normalised document."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    section: str

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.index:04d}"


def chunk_document(doc_id: str, text: str, sections: list[Section], max_chars: int) -> list[Chunk]:
    """Pack whole sentences into chunks of at most max_chars, never across a section change."""
    chunks: list[Chunk] = []
    pending: list[tuple[int, int]] = []
    pending_path = ""

    def flush() -> None:
        if pending:
            s, e = pending[0][0], pending[-1][1]
            chunks.append(Chunk(doc_id, len(chunks), s, e, text[s:e], pending_path))
            pending.clear()

    for section in sections:
        if section.path == SAMPLE_NOTE_PATH:
            continue  # the 【样例文档】 note says what the file is, not what the reply says
        if section.is_heading:
            flush()  # a heading opens a new section; its words travel in the chunk's section path
            pending_path = section.path
            continue
        if section.path != pending_path:
            flush()
            pending_path = section.path
        for s, e in sentence_spans(text, section.start, section.end):
            if pending and e - pending[0][0] > max_chars:
                flush()
            pending.append((s, e))
    flush()
    return chunks
