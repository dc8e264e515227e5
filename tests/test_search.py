"""Hybrid retrieval over corpus/: fusion, every filter on both retrievers, precedent search by document, the tokenizer."""

import pytest

from index.filters import Filters
from index.keywords import add_terms, quoted_terms, tokenize
from index.search import Searcher, mark_terms

ELEVATOR = "加装电梯补助标准"


def doc_titles(hits) -> set[str]:
    return {h.meta["title"] for h in hits}


def test_fusion_ranks_chunks_found_by_both_retrievers_first(searcher: Searcher):
    hits = searcher.search("科汇通试点业务操作指引", k=5)
    assert "科汇通" in hits[0].chunk.text
    assert hits[0].dense > 0 and hits[0].keyword > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_keyword_weight_zero_leaves_dense_order(corpus_settings, corpus_store, embedder):
    dense_only = Searcher(corpus_settings.model_copy(update={"keyword_weight": 0.0}), corpus_store, embedder)
    hits = dense_only.search(ELEVATOR, k=5)
    assert [h.dense for h in hits] == sorted((h.dense for h in hits), reverse=True)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(year_from=2024, year_to=2024), lambda m: m["year"] == 2024),
        (Filters(year_from=2021, year_to=2022), lambda m: 2021 <= m["year"] <= 2022),
        (Filters(kind="政协提案"), lambda m: m["kind"] == "政协提案"),
        (Filters(signing_office="南湖区住房和建设局"), lambda m: m["signing_office"] == "南湖区住房和建设局"),
        (Filters(session="区八届人大第四次会议"), lambda m: m["session"] == "区八届人大第四次会议"),
        (Filters(addressee="杜春兰代表"), lambda m: m["addressee"] == "杜春兰代表"),
    ],
)
def test_each_filter_restricts_both_retrievers(searcher: Searcher, filters: Filters, check):
    hits = searcher.search(ELEVATOR, k=8, filters=filters)
    assert hits, "the filter leaves something to find"
    assert all(check(h.meta) for h in hits)


def test_year_filter_separates_two_replies_on_the_same_subject(searcher: Searcher):
    older = doc_titles(searcher.search(ELEVATOR, k=4, filters=Filters(year_to=2022)))
    newer = doc_titles(searcher.search(ELEVATOR, k=4, filters=Filters(year_from=2024)))
    assert any("20220089" in t for t in older) and not any("20240207" in t for t in older)
    assert any("20240207" in t for t in newer) and not any("20220089" in t for t in newer)


def test_precedent_search_returns_documents_with_their_best_passages(searcher: Searcher):
    documents = searcher.search_documents("以前有没有关于加装电梯补贴的答复？", k=3)
    assert len({d.doc_id for d in documents}) == len(documents)
    top_two = {d.metadata["number"] for d in documents[:2]}
    assert top_two == {"20220089", "20240207"}
    first = documents[0]
    assert first.passages and all(p.chunk.doc_id == first.doc_id for p in first.passages)
    assert "电梯" in first.terms and "答复" not in first.terms


def test_a_pasted_suggestion_text_works_as_a_query(searcher: Searcher):
    suggestion = (
        "建议进一步加大既有住宅加装电梯的财政补助力度，提高每台补助上限，对有老年人、残疾人居住的单元给予额外补助，"
        "同时简化审批流程，缩短审批时限，建立加装电梯后期维护保养长效机制，明确维保责任主体和资金来源，"
        "推动连片加装，降低单台成本，切实解决老旧小区居民上下楼难的问题。"
    ) * 2
    documents = searcher.search_documents(suggestion, k=2)
    assert {d.metadata["number"] for d in documents} == {"20220089", "20240207"}


def test_quoted_terms_stay_whole_in_the_tokenizer():
    add_terms(quoted_terms(["我区推出“湾区芯谷数据港”计划。"]))
    assert "湾区芯谷数据港" in tokenize("湾区芯谷数据港进展如何")


def test_matching_terms_are_marked():
    assert mark_terms("加装电梯补助", ["加装电梯", "电梯"]) == "【加装电梯】补助"


def test_the_keyword_index_changes_by_the_replies_a_build_changes(tmp_path, embedder, monkeypatch):
    import shutil

    from index.build import IndexBuilder
    from index.keyword_index import KeywordIndex
    from tests.conftest import CORPUS, SEED, settings_for

    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    shutil.copy(CORPUS / "samples" / "s03_jiazhuang_dianti_2022.txt", folder / "dianti.txt")
    settings = settings_for(tmp_path / "data")
    IndexBuilder(settings, embedder=embedder).build([folder])
    assert (tmp_path / "data" / "keywords" / settings.collection / "meta.json").exists()

    added: list[str] = []
    original = KeywordIndex.add
    monkeypatch.setattr(
        KeywordIndex, "add", lambda self, chunks: original(self, added.extend(c.doc_id for c in chunks) or chunks)
    )
    assert Searcher(settings, embedder=embedder).search("科汇通", k=1)
    assert added == []  # opened as it is: nothing rebuilt
    (folder / "seed.txt").write_text(SEED.read_text(encoding="utf-8").replace("777 个", "888 个"), encoding="utf-8")
    IndexBuilder(settings, embedder=embedder).build([folder])
    assert len(set(added)) == 1  # the changed reply alone, not the elevator reply beside it
    assert "888个" in Searcher(settings, embedder=embedder).search("888个", k=1)[0].chunk.text


def test_a_commit_the_change_log_missed_is_logged_and_mended_by_the_next_build(tmp_path, embedder, monkeypatch):
    import shutil

    from index.build import IndexBuilder
    from index.store import ReplyStore
    from tests.conftest import CORPUS, SEED, settings_for

    folder = tmp_path / "replies"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    IndexBuilder(settings, store, embedder).build([folder])
    with monkeypatch.context() as killed:  # as if each build were killed between its commit and its log record
        killed.setattr(ReplyStore, "publish_changes", lambda self, doc_ids=(): None)
        shutil.copy(CORPUS / "samples" / "s03_jiazhuang_dianti_2022.txt", folder / "dianti.txt")
        IndexBuilder(settings, store, embedder).build([folder])
    store.changing(True)  # a killed build never says it ended
    searcher = Searcher(settings, store, embedder)
    assert not searcher.keyword_ranking("加装电梯", 5)  # committed, but no keyword index has heard of it

    IndexBuilder(settings, store, embedder).build([folder])  # finds the difference and logs it
    assert searcher.keyword_ranking("加装电梯", 5)
    assert store.changed_since(0, store.change_position()) is not None
    assert store.changed_since(0, ("another-log", store.change_position()[1])) is None  # another log's records are not these


def test_the_change_log_is_not_trusted_past_a_gap(tmp_path):
    from index.store import ReplyStore
    from tests.conftest import settings_for

    store = ReplyStore(settings_for(tmp_path / "data"))
    for doc_id in ("a", "b", "c"):
        store.publish_changes([doc_id])
    position = store.change_position()
    assert position[1] == 3 and store.changed_since(1, position) == {"b", "c"}
    store.state.delete(where={"change": 2})
    assert store.changed_since(1, position) is None and store.changed_since(2, position) == {"c"}
    assert store.changed_since(4, position) is None  # a folder ahead of the log: the log was replaced
