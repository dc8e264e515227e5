"""The overview as tables, each with its Chinese headers: what the 概览 tab shows and what CSV and XLSX files hold."""

from __future__ import annotations

from pathlib import Path

from index.overview import FINDINGS, Overview, ReplyFacts, quality_totals
from index.spreadsheets import Rows, write_csv, write_xlsx

COMPLETENESS = {"yes": "完整", "partly": "部分回应", "no": "未回应"}
# Titles of replies a topic or hot issue is shown by in its table.
_EXAMPLES = 3


def quality_columns(reply: ReplyFacts) -> list[object]:
    """用时, 相关, 完整, 未回应的诉求, 套话句, 承诺: empty for a reply whose message is not on file."""
    q = reply.quality
    if not q:
        return ["", "", "", "", "", ""]
    unanswered = "；".join(a["text"] for a in q["asks"] if not a["addressed"])
    promised = "；".join(c["text"] for c in q["commitments"])
    days = "" if q["days"] is None else q["days"]
    return [days, "是" if q["relevant"] else "否", COMPLETENESS[q["complete"]], unanswered, q["formula_sentence"], promised]


QUALITY_HEADERS = ["用时（天）", "相关", "完整", "未回应的诉求", "套话句", "承诺事项"]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else ""


def tables(view: Overview) -> dict[str, Rows]:
    """Every table of the overview, by its sheet name."""
    n = len(view.replies)
    counted = {
        "按年份": [["年份", "件数"], *view.count_by("year")],
        "按月份": [["月份", "件数"], *view.count_by("month")],
        "按类型": [["类型", "件数"], *view.count_by("kind")],
    }
    topics = [["编号", "话题", "特征词", "件数", "占比", "起止月份", "主要答复单位", "示例标题"]]
    for topic in view.topics:
        trend = view.topic_trend(topic)
        months = f"{trend[0][0]}～{trend[-1][0]}" if trend else ""
        offices = "、".join(f"{o}（{k}）" for o, k in view.topic_offices(topic))
        examples = "；".join(r.title for r in view.samples(topic)[:_EXAMPLES])
        size = len(topic.members)
        topics.append([topic.number, topic.name, "、".join(topic.words), size, _share(size, n), months, offices, examples])
    hot = [["排名", "热点", "地点", "起止日期", "留言数", "特征词", "示例标题"]]
    for rank, issue in enumerate(view.hot, 1):
        period = f"{issue.first or ''}～{issue.last or ''}"
        examples = "；".join(view.replies[i].title for i in issue.members[:_EXAMPLES])
        hot.append([rank, issue.name, "、".join(issue.places), period, issue.messages, "、".join(issue.words), examples])
    return {**counted, "主要话题": topics, "热点问题": hot, "答复单位": office_rows(view), **quality_rows(view)}


def office_rows(view: Overview) -> Rows:
    """Per office: how many replies, on which topics, how fast, how many say nothing or leave asks unanswered."""
    finding_names = [name for key, (name, _) in FINDINGS.items() if key != "promised"]
    rows = [["答复单位", "件数", "主要话题", "用时中位数（天）", *finding_names, "承诺事项"]]
    replies_of: dict[str, list[ReplyFacts]] = {}
    for reply in view.replies:
        replies_of.setdefault(reply.office, []).append(reply)
    topics_of = view.topics_by_office()
    for office, count in view.count_by("office"):
        totals = quality_totals(replies_of[office])
        days = "" if totals.median_days is None else round(totals.median_days, 1)
        found = [n for key, n in totals.findings.items() if key != "promised"]
        rows.append([office, count, "；".join(topics_of.get(office, [])), days, *found, totals.promises])
    return rows


def quality_rows(view: Overview) -> dict[str, Rows]:
    """回复质量: one row per reply with its evidence; 承诺事项: one row per promise, with its date where given."""
    replies = sorted(view.replies, key=lambda r: r.sent, reverse=True)
    quality = [["标题", "答复单位", "来信日期", "答复日期", *QUALITY_HEADERS, "来源", "文档编号"]]
    quality += [[r.title, r.office, r.asked, r.date, *quality_columns(r), r.source, r.doc_id] for r in replies if r.quality]
    promises = [["标题", "答复单位", "答复日期", "承诺内容", "期限", "文档编号"]]
    promises += [
        [r.title, r.office, r.date, c["text"], c["date"], r.doc_id] for r in replies for c in r.quality.get("commitments", [])
    ]
    return {"回复质量": quality, "承诺事项": promises}


def write_tables(view: Overview, folder: Path, stem: str = "概览") -> list[Path]:
    """Each table as a CSV file, and all of them as one XLSX workbook, in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    sheets = tables(view)
    written = [write_csv(folder / f"{stem}_{name}.csv", rows) for name, rows in sheets.items()]
    return [*written, write_xlsx(folder / f"{stem}.xlsx", sheets)]
