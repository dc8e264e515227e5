"""Everything the app shows, as HTML in which every text from a document, a file name, an answer or the user's own
message is escaped: shown as the characters it is, never run or formatted."""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from answer.check import STATUS_LABELS
from answer.draft import COVERED, MISSING, POINT_STATUS, RELATED, UNVERIFIED
from index.schema import FIELD_LABELS
from index.store import file_of
from text.markers import MARKER

_ABOUT_FIELDS = ("kind", "signing_office", "date")
# How much of each passage a precedent list shows; the whole reply opens beside it.
_EXCERPT_CHARS = 160


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def chips(text: str, turn: int, sentence: int | None = None) -> str:
    """Escaped text with each [n] as a chip that opens passage n of this turn (at the sentence of the answer it is in,
    when it is in one)."""
    within = f' data-s="{sentence}"' if sentence is not None else ""
    return MARKER.sub(
        lambda m: (
            f'<button class="chip" data-action="cite" data-turn="{turn}" data-n="{m.group(1)}"{within}>[{m.group(1)}]</button>'
        ),
        esc(text),
    )


def about(fields: dict) -> str:
    """Kind · office · date of a reply."""
    return " · ".join(esc(fields[f]) for f in _ABOUT_FIELDS if fields.get(f))


def _open_button(doc_id: str, label: str = "查看全文", turn: int | None = None, n: int | None = None) -> str:
    where = f' data-turn="{turn}" data-n="{n}"' if turn is not None and n is not None else ""
    return f'<button class="open" data-action="open" data-doc="{esc(doc_id)}"{where}>{label}</button>'


def limit_note(what: str, limit: int) -> str:
    """What a text box takes, said under it: the box never cuts a paste short, a text over the limit is refused."""
    return f'<div class="limit-note">{esc(what)}最多 {limit} 字，超出时不予提交并提示缩短，不会自动截断。</div>'


def conversation(turns: list[dict]) -> str:
    """The whole conversation: each question as the user wrote it, each answer as checked (or as it streams)."""
    if not turns:
        return '<div class="empty">在下方输入问题。回答只依据已收录的答复，每句话后的 [n] 可点开原文。</div>'
    return "".join(_turn(i, t) for i, t in enumerate(turns))


def _turn(i: int, turn: dict) -> str:
    question = f'<div class="msg user"><div class="bubble">{esc(turn["question"])}</div></div>'
    answer = turn.get("answer")
    if answer is None:
        body = quotes(turn.get("quotes", []), i) + f'<div class="status">{esc(turn.get("status", ""))}</div>'
        if turn.get("streamed"):
            body += f'<div class="streamed">{chips(turn["streamed"], i)}</div>'
        state = "stopped" if turn.get("stopped") else "pending"
        return question + f'<div class="msg bot"><div class="bubble {state}">{body}</div></div>'
    return question + f'<div class="msg bot">{answer_html(i, answer)}</div>'


def quotes(found: list[dict], turn: int) -> str:
    """答复原文: the reply's own sentences that answer, each with its reply and a chip that opens it in place."""
    if not found:
        return ""
    items = "".join(
        f'<blockquote class="quote"><span class="quote-text">{esc(q["text"])}</span> '
        f'<button class="chip" data-action="quote" data-turn="{turn}" data-n="{i}">[{q["n"]}]</button>'
        f'<div class="meta">{esc(q.get("title") or "（无标题）")}'
        f"{' · ' + esc(q['office']) if q.get('office') else ''}"
        f"{' · ' + esc(q['date']) if q.get('date') else ''}</div></blockquote>"
        for i, q in enumerate(found)
    )
    return f'<div class="quotes"><div class="label">答复原文</div>{items}</div>'


def answer_html(turn: int, answer: dict) -> str:
    """A checked answer: sentences with chips, those without support marked in place, and a button that exports it to
    Word; a refusal looks like one, with nothing to send."""
    notice = f'<div class="notice">{esc(answer["notice"])}</div>' if answer.get("notice") else ""
    if answer["refused"]:
        related = "".join(
            f'<li>{esc(d.get("title") or "（无标题）")} <span class="meta">{about(d)}</span> {_open_button(d["doc_id"])}</li>'
            for d in answer.get("related", [])
        )
        related = f'<div class="related"><div class="label">可能相关</div><ul>{related}</ul></div>' if related else ""
        text = answer["answer"] or "没有回答。"
        return f'<div class="bubble refusal"><div class="refusal-text">{esc(text)}</div>{notice}{related}</div>'
    sentences = answer.get("sentences") or ([{"text": answer["answer"]}] if answer["answer"] else [])
    summary = "".join(f"<span>{chips(s['text'], turn, i).replace(chr(10), '<br>')}</span>" for i, s in enumerate(sentences))
    summary = f'<div class="label">摘要</div><div class="summary">{summary}</div>' if summary else ""
    export = f'<div class="actions"><button class="export" data-action="export" data-turn="{turn}">导出 Word</button></div>'
    return f'<div class="bubble answer">{quotes(answer.get("quotes", []), turn)}{summary}{_dropped(answer)}{notice}{export}</div>'


def _dropped(answer: dict) -> str:
    return _folded(f"略去的 {len(answer['dropped'])} 句摘要", answer["dropped"]) if answer.get("dropped") else ""


def _folded(title: str, dropped: list[dict]) -> str:
    """Sentences the check turned down, folded away with why (and their status, where known): left out, not hidden."""
    items = "".join(
        (f'<li class="{esc(s["status"])}">' if s.get("status") else "<li>")
        + esc(s["text"])
        + (f'<span class="badge">{esc(STATUS_LABELS[s["status"]])}</span>' if s.get("status") in STATUS_LABELS else "")
        + f'<span class="reason">{esc(s.get("reason", ""))}</span></li>'
        for s in dropped
    )
    return f'<details class="dropped"><summary>{title}</summary><ul>{items}</ul></details>'


def evidence(passages: list[dict], turn: int) -> str:
    """The passages found for the latest question, numbered as the answer cites them."""
    if not passages:
        return '<div class="empty">提问后，这里先列出检索到的答复段落，再生成回答。</div>'
    cards = []
    for p in sorted(passages, key=lambda p: p["n"]):
        shown = "" if p.get("shown") else '<span class="meta">（未送入模型，仅供核对）</span>'
        cards.append(
            f'<div class="passage" id="passage-{p["n"]}"><div class="head"><button class="chip" data-action="cite" '
            f'data-turn="{turn}" data-n="{p["n"]}">[{p["n"]}]</button> <b>{esc(p.get("title") or "（无标题）")}</b></div>'
            f'<div class="meta">{about(p)}{" · " + esc(p["section"]) if p.get("section") else ""} {shown}</div>'
            f'<div class="text">{esc(p["text"])}</div>{_open_button(p["doc_id"], turn=turn, n=p["n"])}</div>'
        )
    return '<div class="label">检索到的答复段落</div>' + "".join(cards)


def document(record: dict, text: str, marks: list[tuple[int, int]] = (), heading: str = "") -> str:
    """A whole reply: title, its kind, office and date in a line, its other parsed fields folded, then its text with
    the spans in marks highlighted (the first is scrolled into view); a span holding other marks is the passage they
    sit in, lightly shaded."""
    fields = record.get("fields", {})
    rows = "".join(
        f'<div><span class="meta">{esc(label)}</span> {esc(fields[name])}</div>'
        for name, label in FIELD_LABELS.items()
        if fields.get(name) not in (None, "", False) and name not in ("title", "question", "year", "is_sample", "instructions")
    )
    rows += f'<div><span class="meta">来源文件</span> {esc("、".join(map(source_label, record.get("sources", []))))}</div>'
    heading = f'<div class="label">{esc(heading)}</div>' if heading else ""
    sample = '<div class="notice">样例文档：本项目编写的示例，不是真实答复。</div>' if fields.get("is_sample") else ""
    return (
        f'<div class="document"><div class="doc-head">{heading}<h3>{esc(fields.get("title") or "（无标题）")}</h3>'
        f'<div class="meta">{about(fields)}</div></div>{sample}{_orders(fields)}'
        f'<details class="fields"><summary>全部字段</summary>{rows}</details>'
        f'<div class="doc-text">{_with_marks(text, list(marks))}</div></div>'
    )


def _with_marks(text: str, marks: list[tuple[int, int]]) -> str:
    """Escaped text with each mark highlighted, and each mark that holds others shaded around them instead."""
    shades = sorted({m for m in marks if any(o != m and m[0] <= o[0] and o[1] <= m[1] for o in marks)})
    cited = sorted(set(marks) - set(shades))
    first = cited[0] if cited else None

    def highlighted(start: int, end: int) -> str:
        pieces, at = [], start
        for s, e in cited:
            if s < at or e > end:
                continue
            pieces += [esc(text[at:s]), f'<mark class="cited{" first" if (s, e) == first else ""}">{esc(text[s:e])}</mark>']
            at = e
        return "".join(pieces) + esc(text[at:end])

    pieces, at = [], 0
    for s, e in shades:
        if s < at:
            continue
        pieces += [highlighted(at, s), f'<span class="passage-shade">{highlighted(s, e)}</span>']
        at = e
    return "".join(pieces) + highlighted(at, len(text))


def _orders(fields: dict) -> str:
    """A warning that the reply holds sentences addressing a model, each shown as the text it is."""
    orders = [s for s in str(fields.get("instructions") or "").split("\n") if s]
    if not orders:
        return ""
    listed = "".join(f"<li>{esc(s)}</li>" for s in orders)
    warning = f"含 {len(orders)} 句疑似向模型下指令的语句，已排除在检索和依据之外："
    return f'<div class="notice planted">{warning}<ul>{listed}</ul></div>'


def precedents(documents: list[dict], first: int, total: int) -> str:
    """A page of precedent search results: replies with their best passages, the query's terms marked."""
    if not documents:
        return '<div class="empty">没有找到相关答复。可换用其他词语，或放宽筛选条件。</div>'
    cards = []
    for i, d in enumerate(documents, first):
        passages = "".join(_passage_excerpt(p, d["terms"]) for p in d["passages"])
        cards.append(
            f'<div class="passage"><div class="head">{i}. <b>{esc(d.get("title") or "（无标题）")}</b></div>'
            f'<div class="meta">{about(d)}</div>{passages}'
            f'<button class="open" data-action="precedent" data-doc="{esc(d["doc_id"])}" data-n="{i - 1}">查看全文</button></div>'
        )
    return f'<div class="label">共 {total} 件答复，第 {first}–{first + len(documents) - 1} 件</div>' + "".join(cards)


def _passage_excerpt(passage: dict, terms: list[str]) -> str:
    best = passage.get("sentence_start", passage["start"]) - passage["start"]
    text = _marked(_around(passage["text"], best), terms)
    return f'<div class="text"><span class="meta">{esc(passage["section"])}</span> {text}</div>'


def _around(text: str, first: int, width: int = _EXCERPT_CHARS) -> str:
    """A window of the text from its best sentence, so that a list of replies stays readable."""
    if len(text) <= width:
        return text
    start = max(0, min(first, len(text) - width))
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")


def _marked(text: str, terms: list[str]) -> str:
    """Escaped text with the query's terms in <mark>, longest first so that they stay whole."""
    if not terms:
        return esc(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    pieces, at = [], 0
    for m in pattern.finditer(text):
        pieces += [esc(text[at : m.start()]), f"<mark>{esc(m.group(0))}</mark>"]
        at = m.end()
    return "".join(pieces) + esc(text[at:])


def source_label(source: str) -> str:
    """Where a reply came from, as staff name it: the file's name, and the row of an export; never a server path."""
    name = Path(file_of(source)).name
    row = source[len(file_of(source)) + 1 :]
    if not row:
        return name
    number, _, position = row.partition("@row")
    if position:  # an id given twice: the id and the row it is on
        return f"{name} 编号 {number}（第 {position} 行）"
    return f"{name} 第 {number[3:]} 行" if number.startswith("row") and number[3:].isdigit() else f"{name} 编号 {number}"


def local_time(iso: str, zone: str) -> str:
    """A stored UTC time as the clock on the office wall shows it (YYYY-MM-DD HH:MM)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def minutes(seconds: float) -> str:
    """Whole minutes, rounded up, in words: 12 分钟, 1 小时 5 分钟."""
    n = math.ceil(seconds / 60)
    return f"{n} 分钟" if n < 60 else f"{n // 60} 小时 {n % 60} 分钟"


def time_left(seconds: float | None) -> str:
    if seconds is None:
        return "正在估算剩余时间"
    return "剩不到 1 分钟" if seconds < 60 else f"约剩 {minutes(seconds)}"


def took(seconds: float) -> str:
    return f"{seconds:.0f} 秒" if seconds < 60 else minutes(seconds)


def build_status(state: str, place: int, progress: dict | None) -> str:
    """One line on where an upload's build stands: its place in the queue, then documents done of all and time left."""
    if state in ("waiting", "blocked") and place > 1:
        line = f"排在第 {place} 位，前面还有 {place - 1} 个收录任务；轮到时自动开始，文件已保存。"
        return f'<div class="build-status waiting">{line}</div>'
    if state == "blocked":
        line = "另一处（命令行或另一台服务器）正在更新答复库，等它完成后自动开始；文件已保存。"
        return f'<div class="build-status waiting">{line}</div>'
    if not progress:
        return '<div class="build-status">正在开始收录……</div>'
    if progress["stage"] == "reading":
        line, share = f"正在读取文件：{progress['files_done']} / {progress['files_total']}", 0.0
    elif progress["stage"] == "keywords":
        line, share = "正在更新检索索引，马上完成……", 1.0
    else:
        line = (
            f"正在收录：已完成 {progress['documents_done']} / {progress['documents_total']} 件答复"
            f"（{progress['chunks_done']} / {progress['chunks_total']} 个段落），{time_left(progress['seconds_left'])}"
        )
        if progress["documents_searchable"]:
            line += f"；其中 {progress['documents_searchable']} 件已可在问答中检索"
        share = progress["chunks_done"] / progress["chunks_total"] if progress["chunks_total"] else 0.0
    bar = f'<div class="build-bar"><div style="width: {share * 100:.0f}%"></div></div>'
    return f'<div class="build-status running">{esc(line)}{bar}</div>'


def build_history(reports: list[dict], zone: str) -> str:
    """构建记录: each build, newest first, with who or what asked, what it did, and each failure with its reason."""
    if not reports:
        return '<div class="empty">还没有构建记录。</div>'
    items = []
    for report in reports:
        files = "、".join(dict.fromkeys(Path(file_of(source)).name for source in report.get("added", [])))
        who = esc(report.get("note") or "命令行构建") + (f"：{esc(files)}" if files else "")
        when = local_time(report.get("started") or report.get("finished", ""), zone)
        failed = report.get("failed", [])
        line = (
            f'<span class="when">{esc(when)}</span> {who}。新增 {report.get("documents_added", 0)} 件答复，'
            f"未变 {len(report.get('unchanged', []))} 个文件，失败 {len(failed)} 个，用时 {took(report.get('seconds', 0.0))}。"
        )
        reasons = "".join(f"<li>{esc(source_label(source))}：{esc(reason)}</li>" for source, reason in failed)
        items.append(f"<li>{line}" + (f'<ul class="failed">{reasons}</ul>' if reasons else "") + "</li>")
    return f'<div class="label">构建记录（最近 {len(reports)} 次，新的在前）</div><ol class="build-history">{"".join(items)}</ol>'


# The colour each point's status is shown in.
_POINT_COLOUR = {COVERED: "covered", RELATED: "related", UNVERIFIED: "missing", MISSING: "missing", "": "pending"}


def draft(progress: dict) -> str:
    """A draft as it is written: the suggestion's points with whether each was answered, then the reply section by
    section (the one being written shown as unchecked), every [n] a chip, placeholders and dated figures marked."""
    if not progress:
        return (
            '<div class="empty">粘贴或上传一件建议、提案或留言，点“起草答复”。'
            "草稿每句话都注明依据的先例答复，找不到先例的要点留作【待补充】。</div>"
        )
    points = "".join(
        f'<li><span class="point-status {_POINT_COLOUR[p["status"]]}">{POINT_STATUS[p["status"]]}</span> '
        f'{esc(p["label"])}<div class="meta">{_precedent_names(p["precedents"])}</div></li>'
        for p in progress["points"]
    )
    parts = [f'<div class="label">建议的要点（共 {len(progress["points"])} 条）</div><ol class="points">{points}</ol>']
    frame = progress["frame"]
    opening = f"<p>{esc(frame['salutation'])}</p><p>{esc(frame['opening'])}</p>"
    parts.append(f'<h3 class="draft-title">{esc(frame["title"])}</h3>{opening}')
    for section in progress["sections"]:
        parts.append(_draft_section(section))
    if progress.get("writing"):
        writing = progress["writing"]
        parts.append(
            f'<div class="section pending"><h4>{esc(writing["heading"])}</h4><div class="status">{esc(writing["status"])}</div>'
            f'<div class="streamed">{chips(writing["text"], 0)}</div></div>'
        )
    if progress.get("error"):
        parts.append(f'<div class="notice">{esc(progress["error"])}</div>')
    if done := progress.get("draft"):
        heading, *plans = done["next_steps"]
        parts.append(
            f'<div class="section"><h4>{esc(heading)}</h4>' + "".join(f'<p class="placeholder">{esc(p)}</p>' for p in plans)
        )
        parts.append(
            f"<p>{esc(done['closing'])}</p>"
            + "".join(f'<p class="signature">{esc(line)}</p>' for line in done["signature"])
            + "</div>"
        )
    return '<div class="draft">' + "".join(parts) + "</div>"


def _draft_section(section: dict) -> str:
    body = f'<p class="placeholder">{chips(section["placeholder"], 0)}</p>' if section["status"] != COVERED else ""
    if section["sentences"]:
        sentences = "".join(
            f'<span class="stale" title="出自往年的答复，可能已有变化，请核实">{chips(s["text"], 0)}</span>'
            if s.get("stale")
            else f"<span>{chips(s['text'], 0)}</span>"
            for s in section["sentences"]
        )
        body += f"<p>{sentences}</p>" + "".join(f'<p class="stale-note">{esc(n)}</p>' for n in section["notes"])
    if section["dropped"]:
        body += _folded(f"未采用 {len(section['dropped'])} 句", section["dropped"])
    return f'<div class="section point"><h4>{esc(section["heading"])}</h4>{body}</div>'


def _precedent_names(precedents: list[dict]) -> str:
    if not precedents:
        return "先例答复中没有相关内容"
    return "先例：" + "；".join(f"[{p['n']}] {esc(p.get('title') or '（无标题）')}（{about(p)}）" for p in precedents)


# Replies a listing of 概览 shows; the rest are in its exported tables.
_LISTED = 200


def overview_replies(replies: list[dict], heading: str) -> str:
    """The replies of a topic, office, hot issue or finding, the newest _LISTED: each with its quality and evidence,
    and 查看全文."""
    if not replies:
        return f'<div class="empty">{esc(heading)}：没有答复。</div>'
    cards = []
    for r in replies[:_LISTED]:
        q = r.get("quality") or {}
        notes = []
        if q.get("formula"):
            notes.append(f'<div class="quality formula">套话答复：“{esc(q["formula_sentence"])}”</div>')
        elif q and not q.get("relevant"):
            notes.append('<div class="quality off">答复未谈及来信的主题</div>')
        unanswered = [a["text"] for a in q.get("asks", []) if not a["addressed"]]
        if unanswered:
            notes.append(f'<div class="quality open-asks">未回应：{"；".join(esc(a) for a in unanswered)}</div>')
        for c in q.get("commitments", []):
            when = f"（{esc(c['date'])}）" if c.get("date") else ""
            notes.append(f'<div class="quality promise">承诺：{esc(c["text"])}{when}</div>')
        days = f" · 用时 {esc(q['days'])} 天" if q.get("days") is not None else ""
        dates = (r["asked"] and f"来信 {r['asked']}", r["date"] and f"答复 {r['date']}")
        office = r["office"] + ("（据正文推断）" if r.get("office_inferred") else "")
        meta = " · ".join(esc(v) for v in (r["kind"], office, *dates) if v)
        cards.append(
            f'<div class="passage"><div class="head"><b>{esc(r["title"] or "（无标题）")}</b></div>'
            f'<div class="meta">{meta}{days}</div>{"".join(notes)}{_open_button(r["doc_id"])}</div>'
        )
    shown = f"，显示最新的 {_LISTED} 件（全部见导出的“回复质量”表）" if len(replies) > _LISTED else ""
    return f'<div class="label">{esc(heading)}：共 {len(replies)} 件答复{shown}</div>' + "".join(cards)
