"""The replies as staff see them: listed with their fields, opened whole, uploaded, removed."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from index.build import BuildInProgress, BuildReport, IndexBuilder, display_path
from index.readers import READABLE_SUFFIXES
from index.schema import FIELD_LABELS
from index.search import Searcher
from index.store import DocumentRecord, file_of
from settings import Settings
from ui import render
from ui.build_queue import BuildQueue, Task

log = logging.getLogger("dafu.app")

# The columns of the library table, in order.
COLUMNS = ("title", "kind", "signing_office", "date", "number", "session", "addressee", "lead_office", "co_offices")
TABLE_HEADERS = [FIELD_LABELS[c] for c in COLUMNS] + ["来源文件", "段落数", "疑似指令", "文档编号"]
# An archive of up to this many replies is listed whole; a larger one lists LISTED_LARGE at a time.
LISTED_WHOLE = 20_000
LISTED_LARGE = 500
# Builds listed in 构建记录.
HISTORY = 20
# How often a watcher of a queued build looks again when nothing told it of a change.
_POLL_S = 1.0


@dataclass(frozen=True)
class Upload:
    """Where one user's upload stands: the status line; once its build is over, what happened to each file."""

    status: str
    message: str = ""
    finished: bool = False
    searchable: int = 0  # documents of this build searches already see


class Documents:
    """The indexed replies of one store, and the uploads folder new ones are copied into."""

    def __init__(self, settings: Settings, searcher: Searcher, queue: BuildQueue | None = None) -> None:
        self.settings = settings
        self.searcher = searcher
        self.store = searcher.store
        self.uploads = settings.resolve(settings.upload_dir)
        self.queue = queue or BuildQueue()

    def listing(self, contains: str = "") -> tuple[list[list[object]], str]:
        """The table's rows, one per reply, and a line saying which they are: every reply of an archive up to
        LISTED_WHOLE, newest first (only those whose fields or sources contain the text, when given); of a larger one,
        those indexed last, or those its keyword index finds for the text, so that no one waits for every record."""
        total = self.store.document_count()
        if total <= LISTED_WHOLE:
            records = sorted(self.store.all_documents(), key=lambda r: str(r.fields.get("date", "")), reverse=True)
            rows = _holding(contains, map(_row, records))
            return rows, f"共 {total:,} 件答复" + (f"，筛选出 {len(rows):,} 件" if contains else "")
        if not contains.strip():
            rows = [_row(r) for r in self.store.recent_documents(LISTED_LARGE)]
            return rows, f"共 {total:,} 件答复，列出最近收录的 {len(rows):,} 件；输入文字在全部答复中查找"
        found = dict.fromkeys(doc_id for _, doc_id, _ in self.searcher.keyword_ranking(contains, LISTED_LARGE))
        records = self.store.get_documents(list(found))
        rows = _holding(contains, (_row(records[d]) for d in found if d in records))
        return rows, f"共 {total:,} 件答复；在与这些词语最相关的 {LISTED_LARGE:,} 个段落中，有 {len(rows):,} 件含此文字"

    def view(self, doc_id: str, marks: list[tuple[int, int]] = (), heading: str = "") -> str:
        record = self.store.get_document(doc_id)
        if record is None:
            return '<div class="notice">这件答复已不在索引中（可能刚被删除）。</div>'
        return render.document({"fields": record.fields, "sources": record.sources}, record.text, list(marks), heading)

    def history(self) -> str:
        """构建记录: the last builds, newest first, their failures in staff's words."""
        reports = [
            {**asdict(report), "failed": [(source, in_staff_words(reason)) for source, reason in report.failed]}
            for report in BuildReport.history(self.store, HISTORY)
        ]
        return render.build_history(reports, self.settings.timezone)

    def unreadable(self, files: list[str]) -> dict[str, str]:
        """Each file the library cannot take, with why, naming it: a type it does not read, or too large."""
        problems = {}
        for file in files:
            path = Path(file)
            if path.suffix.lower() not in READABLE_SUFFIXES:
                problems[file] = f"{path.name}：不支持的文件类型（可上传 {'、'.join(READABLE_SUFFIXES)}）"
            elif path.stat().st_size > self.settings.max_file_mb * 1e6:
                problems[file] = f"{path.name}：文件超过 {self.settings.max_file_mb:g} MB"
        return problems

    def add(self, files: list[str], user: str = "") -> Iterator[Upload]:
        """Copy uploaded files into the uploads folder and queue their build; where it stands until it is over, then
        what happened to each file. The build goes on if the watcher leaves."""
        if not files:
            yield Upload("", "请先选择要上传的文件。", finished=True)
            return
        refused = self.unreadable(files)
        problems = list(refused.values())
        kept = {self._copy_in(Path(file)): Path(file).name for file in files if file not in refused}
        if not kept:
            yield Upload("", "没有收录任何文件。\n" + "\n".join(problems), finished=True)
            return
        note = f"{user + ' ' if user else ''}上传 {len(kept)} 个文件"
        task = self.queue.submit(lambda tell: self._builder().build(list(kept), on_progress=tell, note=note))
        yield from self._watch(task)
        if task.error is not None:
            yield Upload("", "收录中途出错：已收录的答复保留，文件已保存，重启应用后会自动续完。", finished=True)
            return
        report: BuildReport = task.result
        yield Upload("", self._outcome(report, kept, problems), finished=True, searchable=report.documents_added)

    def _watch(self, task: Task) -> Iterator[Upload]:
        """The task's status line each time it changes (its place, its progress), until it is over."""
        seen = -1
        while not task.finished:
            progress = asdict(task.progress) if task.progress else None
            searchable = progress["documents_searchable"] if progress else 0
            yield Upload(render.build_status(task.state, self.queue.place(task), progress), searchable=searchable)
            seen = task.wait_for_change(seen, _POLL_S)

    def finish_interrupted(self) -> BuildReport | None:
        """Finish what a stopped app left half done: removals confirmed (their files are in the removal folder) and
        uploads copied in but not wholly indexed. The build's report, kept for the library to list, or None."""
        builder = self._builder()
        try:
            return self._finish_interrupted(builder)
        except BuildInProgress:
            log.warning("a build is running: interrupted uploads and removals are left for the next start")
            return None

    def _finish_interrupted(self, builder: IndexBuilder) -> BuildReport | None:
        removing = sorted(self._removing.glob("*"))
        if removing:
            sources = {display_path(self.uploads / path.name) for path in removing}
            builder.remove([r.doc_id for r in self.store.all_documents() if sources & set(r.files)])
            for path in removing:
                path.unlink()
            log.info("finished removing %d upload(s) whose removal was interrupted", len(removing))
        pending = builder.pending([self.uploads]) if self.uploads.is_dir() else []
        if not pending:
            return None
        log.info("indexing %d upload(s) a stopped app left unfinished: %s", len(pending), ", ".join(p.name for p in pending))
        # Nothing is deleted here, not even a file the build refuses: no one is there to be told.
        return builder.build(pending, note="启动时续完了上次中断的上传")

    def _builder(self) -> IndexBuilder:
        return IndexBuilder(self.settings, self.store, self.searcher.embedder)

    @property
    def _removing(self) -> Path:
        """Uploads whose reply is being removed wait here (hidden from builds) until the index has let them go."""
        return self.uploads / ".removing"

    def _outcome(self, report: BuildReport, kept: dict[Path, str], problems: list[str]) -> str:
        """What a build of uploaded files did, in staff's words; a file that cannot be read is not kept."""
        for source, reason in report.failed:
            copy = self.settings.resolve(Path(file_of(source)))
            if copy in kept and file_of(source) == source:
                copy.unlink(missing_ok=True)
            problems.append(f"{kept.get(copy, render.source_label(source))}：无法收录（{in_staff_words(reason)}）")
        lines = []
        if report.documents_added:
            lines.append(f"已收录 {report.documents_added} 件新答复（{report.chunks_added} 个段落），几秒后即可在问答中检索。")
        if report.unchanged:
            lines.append(f"{len(report.unchanged)} 个文件与已收录的相同，未重复收录。")
        if report.flagged:
            names = "、".join(Path(source).name for source in report.flagged)
            lines.append(f"注意：{names} 含疑似向模型下指令的语句，已排除在检索和依据之外（在文档库中打开可查看）。")
        return "\n".join(lines + problems) or "没有新的答复。"

    def _copy_in(self, path: Path) -> Path:
        """The upload under its own name in the uploads folder; a different file of the same name keeps both, even when
        two clerks upload one name at once (a name is claimed before the copy is written)."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        content = path.read_bytes()
        for n in itertools.count():
            target = self.uploads / (path.name if n == 0 else f"{path.stem}-{n}{path.suffix}")
            try:
                with target.open("xb") as claimed:
                    claimed.write(content)
                return target
            except FileExistsError:
                if target.read_bytes() == content:
                    return target

    def offices(self) -> list[str]:
        return self.searcher.values("signing_office")

    def remove(self, doc_id: str) -> Iterator[str]:
        """Remove a reply from the index, after any build queued before; where it stands while it waits, then what was
        done. An uploaded file goes too, a file in the corpus stays (say so)."""
        record = self.store.get_document(doc_id)
        if record is None:
            yield "请先在表中选中一件答复。"
            return
        task = self.queue.submit(lambda _: self._remove(record))
        for _ in self._watch(task):
            place = self.queue.place(task)
            yield f"删除排在第 {place} 位，前面还有 {place - 1} 个收录任务，完成后自动删除……" if place > 1 else "正在删除……"
        if task.error is not None:
            yield "删除时出错，答复仍在库中，请稍后再试。"
            return
        yield task.result

    def _remove(self, record: DocumentRecord) -> str:
        uploaded = [
            path
            for source in record.sources
            if file_of(source) == source and (path := self.settings.resolve(Path(source))).parent == self.uploads
        ]
        # The files first, out of the builds' sight: a stop between here and their deletion is finished at the next start.
        self._removing.mkdir(parents=True, exist_ok=True)
        uploaded = [path for path in uploaded if path.exists()]  # another user may have removed it a moment ago
        for path in uploaded:
            path.replace(self._removing / path.name)
        try:
            self._builder().remove([record.doc_id])
        except Exception:  # not removed (another process is building, say): the files come back
            for path in uploaded:
                (self._removing / path.name).replace(path)
            raise
        for path in uploaded:
            (self._removing / path.name).unlink(missing_ok=True)
        kept = [render.source_label(s) for s in record.sources if self.settings.resolve(Path(s)) not in uploaded]
        note = f"（源文件 {'、'.join(kept)} 仍在，重新构建该文件夹时会再次收录）" if kept else ""
        return f"已删除：{record.title or record.doc_id}{note}"


# Reasons the readers and the builder give (index/readers.py, index/build.py), in the words staff read: each pattern
# matches one reason from its start, and its groups fill the Chinese. tests/test_library.py holds every reason to them.
_REASONS = [
    (r"binary content, not text", "不是文本文件"),
    (r"unknown text encoding", "无法识别文字编码（请另存为 UTF-8 或 GBK 文本）"),
    (r"needs OCR", "扫描件 PDF 没有文字层，需要先做文字识别"),
    (r"no reply column '(.*)' \(setting table_columns\.reply\); the columns are (.*)", "表格中没有答复列“\\1”，现有的列：\\2"),
    (r"row (\d+): the reply cell is empty", "第 \\1 行的答复为空"),
    (r"damaged", "文件已损坏（不完整），请重新导出或复制后再上传"),
    (r"cannot be read as", "文件已损坏或格式与扩展名不符"),
    (r"unsupported file type (\S+)", "不支持的文件类型 \\1"),
    (r"empty: no text in the file", "文件中没有文字"),
    (r"empty: no sentences after normalisation", "整理后没有成句的文字"),
    (r"too large: ([\d.]+) MB over the ([\d.]+) MB limit", "文件过大：\\1 MB，超过 \\2 MB 的上限"),
    (r"cannot be opened", "文件无法打开（可能已被移走或无权读取）"),
    (r"build failed half-way", "构建中途出错：此前已收录的答复保留，其余文件可重新上传"),
    (
        r"too long for one reply: ([\d,]+) characters, over the ([\d,]+)",
        "篇幅 \\1 字，超过一件答复的上限 \\2 字，请按每件答复一个文件拆分后上传",
    ),
]


def _row(record: DocumentRecord) -> list[object]:
    orders = len(str(record.fields.get("instructions") or "").splitlines()) or ""
    row: list[object] = [str(record.fields.get(c, "")) for c in COLUMNS]
    return [*row, "、".join(map(render.source_label, record.sources)), record.n_chunks, orders, record.doc_id]


def _holding(contains: str, rows: Iterable[list[object]]) -> list[list[object]]:
    """The rows with a cell that contains the text (all of them when it is empty)."""
    return [row for row in rows if not contains or any(contains in str(cell) for cell in row)]


def in_staff_words(reason: str) -> str:
    """A reader's reason as staff read it: Chinese only, no server path."""
    for pattern, chinese in _REASONS:
        if found := re.match(pattern, reason):
            return found.expand(chinese)
    return "无法读取该文件"
