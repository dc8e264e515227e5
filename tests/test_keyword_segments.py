"""The tantivy keyword index: changed one reply at a time, reopened without rebuilding, shared by processes through its
folder, and left as it was by a writer killed before its commit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.chunker import chunk_document
from index.keyword_segments import KeywordIndexBusy, KeywordSegments
from index.keywords import KeywordIndex
from index.structure import section_tree
from settings import PROJECT_ROOT
from text.normalize import normalize_text

SAMPLES = PROJECT_ROOT / "corpus" / "samples"
ELEVATORS, SCHOOLS, WASTE = "s03_jiazhuang_dianti_2022", "s01_xuewei_gongji", "s04_laji_fenlei"


def chunks_of(name: str) -> list[tuple[str, str, str]]:
    """A sample reply as the builder chunks it: (chunk_id, doc_id, searchable text)."""
    text = normalize_text((SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    return [(c.chunk_id, name, f"\n{c.section}\n{c.text}") for c in chunk_document(name, text, section_tree(text), 300)]


def docs_found(index: KeywordSegments, query: str, n: int = 5) -> list[str]:
    return list(dict.fromkeys(chunk_id.split(":")[0] for chunk_id, _ in index.search(query, n)))


def in_other_process(code: str, folder: Path) -> subprocess.Popen:
    """Python code run with `index` open on folder, in a fresh process of this project."""
    opening = "from pathlib import Path\nfrom index.keyword_segments import KeywordSegments\n"
    script = opening + f"index = KeywordSegments(Path({str(folder)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", script + textwrap.dedent(code)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    index = KeywordSegments(tmp_path / "keywords")
    index.add(chunks_of(ELEVATORS) + chunks_of(SCHOOLS))
    index.commit()
    return tmp_path / "keywords"


def test_add_remove_and_search_by_reply(folder: Path):
    index = KeywordSegments(folder)
    assert docs_found(index, "加装电梯补助")[0] == ELEVATORS
    assert docs_found(index, "小学一年级学位")[0] == SCHOOLS
    before = index.size

    index.add(chunks_of(WASTE))
    assert docs_found(index, "垃圾分类") != [WASTE]  # staged, not committed: no reader sees it yet
    index.commit()
    assert docs_found(index, "垃圾分类")[0] == WASTE
    assert index.size == before + len(chunks_of(WASTE))

    index.remove_documents([ELEVATORS])
    index.commit()
    assert ELEVATORS not in docs_found(index, "加装电梯补助", 30)
    assert index.size == before + len(chunks_of(WASTE)) - len(chunks_of(ELEVATORS))
    assert index.documents() == {SCHOOLS, WASTE}


def test_a_filter_keeps_only_the_allowed_chunks(folder: Path):
    index = KeywordSegments(folder)
    schools = {chunk_id for chunk_id, _, _ in chunks_of(SCHOOLS)}
    found = index.search("加装电梯 学位", 10, allowed_ids=schools)
    assert found and {chunk_id for chunk_id, _ in found} <= schools
    assert index.search("加装电梯", 10, allowed_ids=[]) == []


def test_idf_and_ranking_agree_with_todays_bm25s(folder: Path):
    chunks = chunks_of(ELEVATORS) + chunks_of(SCHOOLS)
    today = KeywordIndex.build([text for _, _, text in chunks])
    index = KeywordSegments(folder)
    for term in ("电梯", "学位", "加装", "补助"):
        assert index.document_frequency(term) == today.document_frequency[term]
        assert index.idf(term) == pytest.approx(today.idf(term))
    scores = today.scores("加装电梯的补助标准")
    best_today = max(range(len(chunks)), key=lambda i: scores[i])
    assert index.search("加装电梯的补助标准", 1)[0][0] == chunks[best_today][0]


def test_reopened_in_another_process_without_rebuilding(folder: Path):
    reader = KeywordSegments(folder)  # opened before the other process changes the index
    files = sorted(p.name for p in folder.iterdir())
    shown = in_other_process(f"print(index.size, index.search('加装电梯补助', 1)[0][0].startswith({ELEVATORS!r}))", folder)
    assert shown.communicate(timeout=60)[0].split() == [str(reader.size), "True"]
    assert sorted(p.name for p in folder.iterdir()) == files  # opening wrote nothing: nothing was rebuilt

    added = in_other_process(f"index.add({chunks_of(WASTE)!r})\nindex.commit()", folder)
    assert added.wait(timeout=60) == 0
    reader.refresh()
    assert docs_found(reader, "垃圾分类")[0] == WASTE


def test_one_writer_at_a_time_and_a_killed_writer_changes_nothing(folder: Path):
    reader = KeywordSegments(folder)
    size, ranking = reader.size, reader.search("加装电梯补助", 10)
    writer = in_other_process(
        f"index.add({chunks_of(WASTE)!r})\nindex.remove_documents([{ELEVATORS!r}])\nprint('staged', flush=True)\n"
        "import time\ntime.sleep(600)",
        folder,
    )
    try:
        assert writer.stdout.readline().strip() == "staged"
        with pytest.raises(KeywordIndexBusy, match="another writer"):
            reader.add(chunks_of(WASTE))
    finally:
        writer.kill()
        writer.wait(timeout=30)

    reader.refresh()
    assert (reader.size, reader.search("加装电梯补助", 10)) == (size, ranking)
    assert WASTE not in docs_found(reader, "垃圾分类")
    reopened = KeywordSegments(folder)
    assert reopened.size == size
    reopened.add(chunks_of(WASTE))  # the killed writer's lock went with its process
    reopened.commit()
    assert docs_found(reopened, "垃圾分类")[0] == WASTE


def test_an_index_made_by_another_tokenizer_is_refused(folder: Path):
    (folder / "about.json").write_text(json.dumps({"tokenizer": "words-0"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"words-0.*rebuild"):
        KeywordSegments(folder)
