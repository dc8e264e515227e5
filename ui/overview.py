"""概览: the archive at a glance for a supervisor — counts, topics, hot issues, offices and reply quality — each table
clickable down to its replies, and all of it as CSV and XLSX."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict

import gradio as gr
import pandas as pd

from answer.engine import UNREACHABLE
from index.overview import FINDINGS, NO_OFFICE, FactsCache, Overview, overview, quality_totals
from index.overview_tables import tables, write_tables
from index.search import Searcher
from index.store import IndexUnavailable
from ui import render
from ui.chat import filters_from
from ui.documents import Documents
from ui.export_folder import export_folder

log = logging.getLogger("dafu.app")

# Overviews kept, by index generation and filter: a tab opened again, or by another user, is drawn at once.
_KEPT = 8
# Topics drawn in the trend chart.
TREND_TOPICS = 5
# Offices in the chart of replies by office.
CHART_OFFICES = 15
# Months a chart shows one by one; a longer span is shown by year.
MONTHS_CHARTED = 36
PERIOD_NAMES = {"month": "月份", "year": "年份"}
# What a table click lists: the column that names the row's topic, hot issue or office.
LISTED = {"主要话题": "topic", "热点问题": "hot", "答复单位": "office"}


class OverviewPage:
    def __init__(self, searcher: Searcher, documents: Documents) -> None:
        self.searcher = searcher
        self.store = searcher.store
        self.cache = FactsCache(self.store.overview_folder)
        self.documents = documents
        self._kept: OrderedDict[tuple, Overview] = OrderedDict()
        self._lock = threading.Lock()  # one overview worked out at a time; the next user gets it from _kept

    def current(self, year_text: str, kind: str, office: str) -> Overview:
        filters = filters_from(year_text, kind, office)
        key = (self.store.generation(), year_text or "", kind or "", office or "")
        with self._lock:
            if key not in self._kept:
                facts, vectors = self.cache.current(self.store, self.searcher.keywords.idf)
                self._kept[key] = overview(facts, vectors, filters)
                while len(self._kept) > _KEPT:
                    self._kept.popitem(last=False)
            return self._kept[key]

    def show(self, year_text: str, kind: str, office: str) -> tuple:
        """Summary, charts, the topic, hot issue and office tables, the overview drawn (what a click lists from); the
        listing emptied."""
        try:
            view = self.current(year_text, kind, office)
        except (ValueError, IndexUnavailable) as error:  # a year it cannot read, a server gone
            return (_notice(error), *([gr.skip()] * 9))
        sheets = tables(view)
        period = chart_period(view)
        name = PERIOD_NAMES[period]
        offices = [(o, n) for o, n in view.count_by("office") if o != NO_OFFICE][:CHART_OFFICES]
        return (
            summary(view),
            _bars([(p, n) for p, n in view.count_by(period) if p[:1].isdigit()], name, f"按{name}（来信日期，无则答复日期）"),
            _bars(view.count_by("kind"), "类型", "按类型"),
            _bars(offices, "答复单位", f"按答复单位（前 {CHART_OFFICES} 个，未注明的不计）"),
            trend(view, period),
            _table(sheets["主要话题"]),
            _table(sheets["热点问题"]),
            _table(sheets["答复单位"]),
            '<div class="empty">点击上面表格中的话题、热点或答复单位，或“列出答复”的按钮，列出它的答复。</div>',
            view,
        )

    @staticmethod
    def export(drawn: Overview | None) -> list[str] | None:
        """Every table of the overview shown as CSV, and all of them as one XLSX workbook."""
        if drawn is None:
            gr.Warning("请先点“统计”。", title="无法导出")
            return None
        return [str(p) for p in write_tables(drawn, export_folder("overview"))]

    @staticmethod
    def lister(which: str) -> Callable[..., tuple[str, str]]:
        """What a click on a row of the table named `which` does: list the replies of its topic, hot issue or office, in
        the overview the table was drawn from."""

        def listing(drawn: Overview | None, event: gr.SelectData) -> tuple[str, str]:
            row = event.row_value or []
            if drawn is None or not row:
                return gr.skip(), gr.skip()
            key = str(row[0])
            replies = drawn.replies_of(LISTED[which], key)
            heading = {"topic": f"话题 {key}：{row[1]}", "hot": f"热点 {key}：{row[1]}", "office": key}[LISTED[which]]
            return render.overview_replies([asdict(r) for r in replies], heading), ""

        return listing

    @staticmethod
    def finder(finding: str) -> Callable[..., tuple[str, str]]:
        """What a click on a finding's button does: list the replies whose quality shows it (套话答复, 未完全回应, …)."""

        def listing(drawn: Overview | None) -> tuple[str, str]:
            if drawn is None:
                return '<div class="notice">请先点“统计”。</div>', ""
            replies = drawn.replies_of("finding", finding)
            return render.overview_replies([asdict(r) for r in replies], FINDINGS[finding][0]), ""

        return listing

    def open(self, event: gr.EventData) -> str:
        data = getattr(event, "_data", None) or {}
        return self.documents.view(data["doc"]) if data.get("action") == "open" and data.get("doc") else gr.skip()


def summary(view: Overview) -> str:
    messages = sum(r.messages for r in view.replies)
    answering = f"（答复 {messages} 条来信，内容相同的答复合为一件）" if messages > len(view.replies) else ""
    line = f"共 <b>{len(view.replies)}</b> 件答复{answering}，{len(view.topics)} 个主要话题，{len(view.hot)} 个热点问题。"
    return f'<div class="overview-summary">{line}{render.esc(quality_totals(view.replies).sentence())}</div>'


def _notice(error: Exception) -> str:
    said = UNREACHABLE if isinstance(error, IndexUnavailable) else str(error)
    return f'<div class="notice">{render.esc(said)}</div>'


def chart_period(view: Overview) -> str:
    """Months while they fit on a chart's axis, else years: the axis labels stay Chinese and readable ("2019-07",
    "2019"), where a time axis would name months in English."""
    months = [m for m, _ in view.count_by("month") if m[:1].isdigit()]
    return "month" if len(months) <= MONTHS_CHARTED else "year"


def trend(view: Overview, period: str) -> gr.LinePlot:
    """Replies per month (or year) of the largest topics."""
    name = PERIOD_NAMES[period]
    rows = [
        {name: when, "件数": count, "话题": f"{topic.number}. {topic.name}"}
        for topic in view.topics[:TREND_TOPICS]
        for when, count in view.topic_trend(topic, period)
    ]
    return gr.LinePlot(
        pd.DataFrame(rows, columns=[name, "件数", "话题"]), x=name, title=f"主要话题的走势（前 {TREND_TOPICS} 个）"
    )


def _bars(counts: list[tuple[str, int]], name: str, title: str) -> gr.BarPlot:
    """A bar chart of counts, its axis from zero (a chart of one bar has a bar)."""
    top = max((n for _, n in counts), default=1)
    return gr.BarPlot(pd.DataFrame(counts, columns=[name, "件数"]), x=name, title=title, y_lim=[0, top * 1.1])


def _table(rows: list) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])
