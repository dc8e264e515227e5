"""The fields of a reply, one name each: as parsed, stated by an export's columns, stored, filtered and shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from text.dates import iso_date
from text.instructions import addresses_model

if TYPE_CHECKING:
    from index.chunker import Chunk
    from index.store import DocumentRecord

# Every field a document record may carry, with the label the app shows for it.
FIELD_LABELS = {
    "title": "标题",
    "kind": "类型",
    "number": "编号",
    "session": "会议",
    "addressee": "收件人",
    "subject": "事由",
    "signing_office": "答复单位",
    "lead_office": "主办单位",
    "co_offices": "会办单位",
    "date": "日期",
    "asked": "来信日期",
    "year": "年份",
    "contact": "联系人",
    "is_sample": "样例",
    "question": "来信或建议原文",
    "instructions": "疑似向模型下指令的语句",
}
_DATES = ("date", "asked")
# Kept with the document only: long, and never filtered or shown beside a passage (nor an order a chunk left out).
_DOCUMENT_ONLY = ("question", "instructions")


def document_fields(parsed: dict[str, str | bool], stated: dict[str, str]) -> dict[str, str | bool | int]:
    """A document's fields: what an export's columns state wins over what parsing its text found; the year for filters."""
    read = {k: iso_date(v) if k in _DATES else v for k, v in stated.items()}
    fields: dict[str, str | bool | int] = {**parsed, **{k: v for k, v in read.items() if v}}
    # A column, or a line parsed as the office or a heading, may hold an order as a sentence may; every field but the
    # question travels with the chunks, into the prompt and the check: an order is no field.
    orders = [k for k, v in fields.items() if k not in _DOCUMENT_ONLY and isinstance(v, str) and addresses_model(v)]
    if orders:
        flagged = [str(fields.pop(k)) for k in orders]
        fields["instructions"] = "\n".join(dict.fromkeys([*filter(None, [str(parsed.get("instructions", ""))]), *flagged]))
    fields["year"] = int(str(fields["date"])[:4]) if fields.get("date") else 0
    return fields


def chunk_fields(record: DocumentRecord, chunk: Chunk) -> dict[str, str | int | bool]:
    """What every chunk carries for filtering and display: its document's fields, where it sits and where it came from."""
    shared = {k: v for k, v in record.fields.items() if k not in _DOCUMENT_ONLY}
    return {
        **shared,
        "doc_id": record.doc_id,
        "source": record.sources[0],
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
    }
