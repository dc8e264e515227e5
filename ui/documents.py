"""The replies as staff see them: listed with their fields, opened whole, uploaded, removed."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from index.build import BuildInProgress, BuildReport, IndexBuilder, display_path, file_of
from index.readers import READABLE_SUFFIXES
from index.schema import FIELD_LABELS
from index.search import Searcher
from settings import Settings
from ui import render

log = logging.getLogger("dafu.app")

# The columns of the library table, in order.
COLUMNS = ("title", "kind", "signing_office", "date", "number", "session", "addressee", "lead_office", "co_offices")
TABLE_HEADERS = [FIELD_LABELS[c] for c in COLUMNS] + ["来源文件", "段落数", "疑似指令", "文档编号"]


class Documents:
    """The indexed replies of one store, and the uploads folder new ones are copied into."""

    def __init__(self, settings: Settings, searcher: Searcher) -> None:
        self.settings = settings
        self.searcher = searcher
        self.store = searcher.store
        self.uploads = settings.resolve(settings.upload_dir)

    def table(self, contains: str = "") -> list[list[object]]:
        """One row per reply, newest first; only those whose fields or sources contain the text, when given."""
        rows = []
        for record in sorted(self.store.all_documents(), key=lambda r: str(r.fields.get("date", "")), reverse=True):
            orders = len(str(record.fields.get("instructions") or "").splitlines()) or ""
            row = [str(record.fields.get(c, "")) for c in COLUMNS]
            row += ["、".join(record.sources), record.n_chunks, orders, record.doc_id]
            if not contains or any(contains in str(cell) for cell in row):
                rows.append(row)
        return rows

    def view(self, doc_id: str, marks: list[tuple[int, int]] = (), heading: str = "") -> str:
        record = self.store.get_document(doc_id)
        if record is None:
            return '<div class="notice">这件答复已不在索引中（可能刚被删除）。</div>'
        return render.document({"fields": record.fields, "sources": record.sources}, record.text, list(marks), heading)

    def last_build(self) -> str:
        report = BuildReport.last(self.store)
        if report is None:
            return render.build_report(None)
        failed = [(Path(path).name, in_staff_words(reason, self.uploads)) for path, reason in report.failed]
        return render.build_report({**report.__dict__, "failed": failed})

    def add(self, files: list[str]) -> str:
        """Copy uploaded files into the uploads folder and index them; a message saying what happened to each."""
        if not files:
            return "请先选择要上传的文件。"
        problems, kept = [], {}
        for file in files:
            path = Path(file)
            name = path.name
            if path.suffix.lower() not in READABLE_SUFFIXES:
                problems.append(f"{name}：不支持的文件类型（可上传 {'、'.join(READABLE_SUFFIXES)}）")
            elif path.stat().st_size > self.settings.max_file_mb * 1e6:
                problems.append(f"{name}：文件超过 {self.settings.max_file_mb:g} MB")
            else:
                copy = self._copy_in(path)
                kept[copy] = name
        if not kept:
            return "没有收录任何文件。\n" + "\n".join(problems)
        try:
            report = self._builder().build(list(kept), progress=True)
        except BuildInProgress:
            for copy in kept:
                copy.unlink(missing_ok=True)
            return "另一个构建正在进行，请稍后再上传。"
        return self._outcome(report, kept, problems)

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
        return builder.build(pending, progress=False, note="启动时续完了上次中断的上传")

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
            problems.append(f"{kept.get(copy, Path(source).name)}：无法收录（{in_staff_words(reason, self.uploads)}）")
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
        """The upload under its own name in the uploads folder; a different file of the same name keeps both."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / path.name
        n = 1
        while target.exists() and target.read_bytes() != path.read_bytes():
            target = self.uploads / f"{path.stem}-{n}{path.suffix}"
            n += 1
        shutil.copyfile(path, target)
        return target

    def offices(self) -> list[str]:
        return self.searcher.values("signing_office")

    def remove(self, doc_id: str) -> str:
        """Remove a reply from the index; an uploaded file goes too, a file in the corpus stays (say so)."""
        record = self.store.get_document(doc_id)
        if record is None:
            return "请先在表中选中一件答复。"
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
            self._builder().remove([doc_id])
        except Exception as error:  # not removed: the files come back, and the user is told
            for path in uploaded:
                (self._removing / path.name).replace(path)
            if isinstance(error, BuildInProgress):
                return "构建正在进行，请稍后再删除。"
            raise
        for path in uploaded:
            (self._removing / path.name).unlink(missing_ok=True)
        kept = [source for source in record.sources if self.settings.resolve(Path(source)) not in uploaded]
        note = f"（源文件 {'、'.join(kept)} 仍在，重新构建该文件夹时会再次收录）" if kept else ""
        return f"已删除：{record.title or doc_id}{note}"


# Reasons the readers give, in the words staff read; the path of the uploads folder is no business of theirs.
_REASONS = {
    "empty": "文件中没有文字",
    "binary content, not text": "不是文本文件",
    "unknown text encoding": "无法识别文字编码",
    "needs OCR": "扫描件 PDF 没有文字层，需要先做文字识别",
    "damaged": "文件已损坏（不完整），请重新导出或复制后再上传",
    "cannot be read as": "文件已损坏或格式与扩展名不符",
    "too large": "文件过大",
    "too long for one reply": "篇幅超过一件答复的上限，请按每件答复一个文件拆分后上传",
    "no reply column": "表格中没有答复列",
}


def in_staff_words(reason: str, uploads: Path) -> str:
    """A reader's reason as staff read it, without the uploads folder's path."""
    said = next((chinese for english, chinese in _REASONS.items() if reason.startswith(english)), "")
    plain = reason.replace(str(uploads) + "/", "")
    return f"{said}：{plain}" if said else plain
