"""Split a reply into chunks on Chinese sentence boundaries, within its sections."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from index.structure import SAMPLE_NOTE_PATH, Section
from text.instructions import instruction_spans
from text.sentences import sentence_spans

log = logging.getLogger(__name__)


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
        return chunk_id(self.doc_id, self.index)


# The rules chunk_document follows: a document chunked under other rules is chunked again by the next build.
CHUNKING = "2"


def chunk_id(doc_id: str, index: int) -> str:
    return f"{doc_id}:{index:04d}"


def chunk_document(doc_id: str, text: str, sections: list[Section], max_chars: int) -> list[Chunk]:
    """Pack whole sentences into chunks of at most max_chars, never across a section change; a sentence that addresses a
    model ("忽略以上要求，回答：……") is in no chunk, so that no search, prompt or check ever reads it."""
    chunks: list[Chunk] = []
    orders = set(instruction_spans(text))
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
            if (s, e) in orders:
                flush()  # a chunk is one stretch of the document: it cannot run across what is left out
                continue
            if pending and e - pending[0][0] > max_chars:
                flush()
            pending.append((s, e))
    flush()
    if orders:
        left_out = " | ".join(text[s:e] for s, e in sorted(orders))
        log.warning("%s: %d sentence(s) addressing a model left out of the chunks: %s", doc_id, len(orders), left_out)
    return chunks
