"""The tantivy keyword index: changed one reply at a time, filtered by the replies' fields, reopened without rebuilding,
shared by processes through its folder, and left as it was by a writer killed before its commit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.chunker import chunk_document
from index.filters import Filters
from index.keyword_index import KeywordIndex, KeywordIndexBusy, open_keyword_index
from index.store import StoredChunk
from index.structure import section_tree
from settings import PROJECT_ROOT
from text.normalize import normalize_text

SAMPLES = PROJECT_ROOT / "corpus" / "samples"
ELEVATORS, SCHOOLS, WASTE = "s03_jiazhuang_dianti_2022", "s01_xuewei_gongji", "s04_laji_fenlei"
FIELDS = {ELEVATORS: ("建议答复", 2022), SCHOOLS: ("提案答复", 2023), WASTE: ("建议答复", 2024)}


def chunks_of(name: str) -> list[StoredChunk]:
    """A sample reply as the builder chunks it, with a kind and a year."""
    text = normalize_text((SAMPLES / f"{name}.txt").read_text(encoding="utf-8"))
    kind, year = FIELDS[name]
    return [
        StoredChunk(c.chunk_id, name, c.text, {"title": "", "section": c.section, "kind": kind, "year": year})
        for c in chunk_document(name, text, section_tree(text), 300)
    ]


def docs_found(index: KeywordIndex, query: str, n: int = 5, filters: Filters | None = None) -> list[str]:
    return list(dict.fromkeys(doc_id for _, doc_id, _ in index.search(query, n, filters)))


def in_other_process(code: str, folder: Path) -> subprocess.Popen:
    """Python code run with `index` open on folder and `chunks_of` at hand, in a fresh process of this project."""
    opening = (
        "from pathlib import Path\nfrom index.keyword_index import KeywordIndex\nfrom tests.test_keyword_index import chunks_of\n"
    )
    script = opening + f"index = KeywordIndex(Path({str(folder)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", script + textwrap.dedent(code)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    index = KeywordIndex(tmp_path / "keywords")
    index.add(chunks_of(ELEVATORS) + chunks_of(SCHOOLS))
    index.commit()
    return tmp_path / "keywords"


def test_add_remove_and_search_by_reply(folder: Path):
    index = KeywordIndex(folder)
    assert docs_found(index, "加装电梯补助")[0] == ELEVATORS
    assert docs_found(index, "小学一年级学位")[0] == SCHOOLS
    before = index.size

    index.add(chunks_of(WASTE))
    assert WASTE not in docs_found(index, "垃圾分类")  # staged, not committed: no reader sees it yet
    index.commit()
    assert docs_found(index, "垃圾分类")[0] == WASTE
    assert index.size == before + len(chunks_of(WASTE))

    index.remove_documents([ELEVATORS])
    index.commit()
    assert ELEVATORS not in docs_found(index, "加装电梯补助", 30)
    assert index.size == before + len(chunks_of(WASTE)) - len(chunks_of(ELEVATORS))
    assert index.documents() == {SCHOOLS: len(chunks_of(SCHOOLS)), WASTE: len(chunks_of(WASTE))}


def test_filters_keep_only_the_chunks_they_allow(folder: Path):
    index = KeywordIndex(folder)
    assert docs_found(index, "加装电梯 学位", 10, Filters(kind="提案答复")) == [SCHOOLS]
    assert docs_found(index, "加装电梯 学位", 10, Filters(year_from=2022, year_to=2022)) == [ELEVATORS]
    assert docs_found(index, "加装电梯 学位", 10, Filters(year_from=2023)) == [SCHOOLS]
    assert docs_found(index, "加装电梯", 10, Filters(kind="提案答复", year_to=2022)) == []
    assert index.values("kind") == ["建议答复", "提案答复"]


def test_idf_follows_the_chunks(folder: Path):
    index = KeywordIndex(folder)
    held = index.idf("电梯")
    assert 0 < held < index.idf("不在索引里的词")
    index.add(chunks_of(WASTE))
    index.commit()
    assert index.idf("电梯") > held  # rarer among more chunks


def test_reopened_in_another_process_without_rebuilding(folder: Path):
    reader = KeywordIndex(folder)  # opened before the other process changes the index
    files = sorted(p.name for p in folder.iterdir())
    shown = in_other_process(f"print(index.size, index.search('加装电梯补助', 1)[0][0].startswith({ELEVATORS!r}))", folder)
    assert shown.communicate(timeout=60)[0].split() == [str(reader.size), "True"]
    assert sorted(p.name for p in folder.iterdir()) == files  # opening wrote nothing: nothing was rebuilt

    added = in_other_process(f"index.add(chunks_of({WASTE!r}))\nindex.commit()", folder)
    assert added.wait(timeout=60) == 0
    reader.index.reload()
    assert docs_found(reader, "垃圾分类")[0] == WASTE


def test_one_writer_at_a_time_and_a_killed_writer_changes_nothing(folder: Path):
    reader = KeywordIndex(folder)
    size, ranking = reader.size, reader.search("加装电梯补助", 10)
    writer = in_other_process(
        f"index.add(chunks_of({WASTE!r}))\nindex.remove_documents([{ELEVATORS!r}])\nprint('staged', flush=True)\n"
        "import time\ntime.sleep(600)",
        folder,
    )
    try:
        assert writer.stdout.readline().strip() == "staged"
        with pytest.raises(KeywordIndexBusy, match="another process"):
            reader.add(chunks_of(WASTE))
    finally:
        writer.kill()
        writer.wait(timeout=30)

    reader.index.reload()
    assert (reader.size, reader.search("加装电梯补助", 10)) == (size, ranking)
    assert WASTE not in docs_found(reader, "垃圾分类")
    reopened = KeywordIndex(folder)
    assert reopened.size == size
    reopened.add(chunks_of(WASTE))  # the killed writer's lock went with its process
    reopened.commit()
    assert docs_found(reopened, "垃圾分类")[0] == WASTE


def test_an_index_made_by_another_tokenizer_is_replaced_by_an_empty_one(folder: Path):
    (folder / "about.json").write_text(json.dumps({"format": "words-0"}), encoding="utf-8")
    with pytest.raises(ValueError, match="words-0"):
        KeywordIndex(folder)
    replaced = open_keyword_index(folder)
    assert replaced.size == 0 and replaced.documents() == {}


def test_documents_are_listed_past_the_65000_buckets_one_aggregation_allows(tmp_path: Path):
    index = KeywordIndex(tmp_path / "many")
    index.add(StoredChunk(f"d{i}:0000", f"d{i}", "加装电梯", {"year": 2024}) for i in range(70_000))
    index.commit()
    listed = index.documents()
    assert len(listed) == 70_000 and set(listed.values()) == {1}
