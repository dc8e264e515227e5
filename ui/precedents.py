"""查找先例: earlier replies on a subject, as documents with their best passages, paged and exportable."""

from __future__ import annotations

import re
from datetime import date

import gradio as gr

from answer.engine import UNREACHABLE
from index.filters import Filters
from index.search import Searcher
from index.spreadsheets import write_csv, write_xlsx
from index.store import IndexUnavailable
from settings import Settings
from text.suggestions import MAX_CHARS
from ui import render
from ui.chat import filters_from
from ui.documents import Documents
from ui.export_folder import export_folder

# Replies fetched for one search (the most an API call may ask for), and shown on one page.
FOUND = 50
PAGE = 10
_WORDS = re.compile(r"[^\w]+")  # what a file name keeps of the query
EXPORT_COLUMNS = ("排名", "标题", "类型", "答复单位", "日期", "得分", "最相关段落", "来源文件", "文档编号")


def precedent_rows(searcher: Searcher, query: str, k: int, filters: Filters | None = None) -> list[dict]:
    """The replies that best match the query, as python -m index search --docs --json gives them."""
    documents = searcher.search_documents(query, k, filters)
    return [d.to_dict(n) for n, d in enumerate(documents, 1)]


class Precedents:
    def __init__(self, settings: Settings, searcher: Searcher, documents: Documents) -> None:
        self.settings = settings
        self.searcher = searcher
        self.documents = documents

    def search(self, query: str, year_text: str, kind: str, office: str) -> tuple[str, list[dict], int, str | None, str | None]:
        """(first page, all found, page number, CSV, XLSX) for a query of a few words or a whole pasted suggestion."""
        query = (query or "").strip()
        if not query:
            return '<div class="empty">请输入关键词，或粘贴一份建议、提案的全文。</div>', [], 0, None, None
        if len(query) > MAX_CHARS:  # refused whole, never cut short
            notice = f"查找内容超过 {MAX_CHARS} 字（现有 {len(query)} 字），没有查找。请缩短后再试。"
            return f'<div class="notice">{notice}</div>', [], 0, None, None
        try:
            found = precedent_rows(self.searcher, query, FOUND, filters_from(year_text, kind, office))
        except ValueError as error:  # a year it cannot read
            return f'<div class="notice">{render.esc(error)}</div>', [], 0, None, None
        except IndexUnavailable:
            return f'<div class="notice">{UNREACHABLE}</div>', [], 0, None, None
        return self.page(found, 0), found, 0, *self.export(found, query)

    def open(self, found: list[dict], event: gr.EventData) -> str:
        """A reply of the list in full, its best passage lightly shaded and the passage's best sentence marked."""
        data = getattr(event, "_data", None) or {}
        try:
            reply = found[int(data["n"])]
        except (KeyError, IndexError, ValueError, TypeError):
            return gr.skip()
        marks = [(p[a], p[b]) for p in reply["passages"][:1] for a, b in (("start", "end"), ("sentence_start", "sentence_end"))]
        return self.documents.view(reply["doc_id"], marks, "最相关的段落与句子" if marks else "")

    @staticmethod
    def page(found: list[dict], page: int) -> str:
        return render.precedents(found[page * PAGE : (page + 1) * PAGE], page * PAGE + 1, len(found))

    def turn(self, found: list[dict], page: int, step: int) -> tuple[str, int]:
        last = max(0, (len(found) - 1) // PAGE)
        page = min(max(0, page + step), last)
        return self.page(found, page), page

    @staticmethod
    def export(found: list[dict], query: str) -> tuple[str | None, str | None]:
        """The list as CSV (UTF-8 with BOM, so Excel reads the Chinese) and as XLSX, with the columns shown."""
        if not found:
            return None, None
        fields = ("rank", "title", "kind", "signing_office", "date", "score")
        rows = [[*(d[f] for f in fields), _best_passage(d), d["source"], d["doc_id"]] for d in found]
        folder = export_folder("precedents")
        name = f"先例_{_WORDS.sub('', query)[:12]}_{date.today():%Y%m%d}"
        csv_path = write_csv(folder / f"{name}.csv", [EXPORT_COLUMNS, *rows])
        xlsx_path = write_xlsx(folder / f"{name}.xlsx", {"先例": [EXPORT_COLUMNS, *rows]})
        return str(csv_path), str(xlsx_path)


def _best_passage(found: dict) -> str:
    return found["passages"][0]["text"] if found["passages"] else ""
