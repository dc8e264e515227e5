"""概览: counts, topics, hot issues and reply quality, from a real index (real Chroma, the real embedder) of messages
written here and of real Teddy rows; the cache updated when replies are removed; the tables as CSV and XLSX."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from index.build import IndexBuilder
from index.filters import Filters
from index.hot_issues import Message, hot_issues
from index.overview import FactsCache, overview
from index.overview_tables import tables, write_tables
from index.store import ReplyStore
from index.topics import find_topics
from tests.conftest import settings_for, teddy_slice
from text.offices import answering_office

FUMES = "A5区魅力之城小区临街餐饮店油烟噪音扰民"
HEADER = ["留言编号", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间", "答复单位", "类型"]


def _message(n: int, title: str, asked: str, text: str, reply: str, replied: str, office: str) -> list[str]:
    """One row; each reply names its message's number, as real ones differ (one text answering two is one document)."""
    return [str(n), title, asked, text, f"（第{n}号留言）{reply}", replied, office, "群众留言"]


def messages() -> list[list[str]]:
    """Four messages on one restaurant's fumes in one place within a month, three on kindergarten teachers' pay, three on
    a bus line; one reply that says nothing but that the message was passed on."""
    rows = []
    for n, day in enumerate((3, 9, 15, 27), 1):
        rows.append(
            _message(
                n,
                FUMES,
                f"2019/7/{day} 10:00:00",
                "魅力之城小区临街的餐饮店油烟直排，夜间噪音很大，严重影响居民休息，请相关部门尽快处理。",
                "网友您好！经A5区城管局现场核查，该餐饮店已于2019年8月1日安装油烟净化设备，夜间经营噪音已责令整改。"
                "下一步，我局将于2019年9月底前对周边餐饮店开展专项检查。",
                "2019/8/10 9:00:00",
                "A5区城市管理局",
            )
        )
    for n in range(5, 8):
        rows.append(
            _message(
                n,
                f"民营幼儿园教师待遇太低{n}",
                f"2018/{n}/12 09:00:00",
                "民营幼儿园教师工资低、没有社保，希望提高民营幼儿园教师工资待遇，落实教师社保。",
                "市民同志：你好！根据《A市学前教育条例》，民办幼儿园应依法为教师缴纳社会保险，教育局已将教师待遇纳入年检。",
                f"2018/{n + 1}/2 09:00:00",
                "A市教育局",
            )
        )
    for n in range(8, 11):
        rows.append(
            _message(
                n,
                f"公交线路延伸到工业园{n}",
                f"2019/{n - 6}/20 09:00:00",
                "工业园上下班没有公交车，建议把公交线路延伸到工业园。",
                "您好！您的留言已收悉，已转交A市交通运输局办理。",
                f"2019/{n - 5}/1 09:00:00",
                "A市交通运输局",
            )
        )
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder) -> tuple[ReplyStore, Path]:
    folder = tmp_path_factory.mktemp("overview-index")
    export = folder / "留言.csv"
    with export.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *messages()])
    settings = settings_for(folder / "index", corpus_paths=[export])
    store = ReplyStore(settings)
    report = IndexBuilder(settings, store, embedder).build()
    assert not report.failed, report.summary()
    return store, export


def test_the_counts_follow_the_messages_dates_kinds_and_offices(built):
    store, _ = built
    view = overview(*FactsCache(store.overview_folder).current(store))
    assert view.count_by("year") == [("2018", 3), ("2019", 7)]
    assert ("2019-07", 4) in view.count_by("month")
    assert view.count_by("kind") == [("群众留言", 10)]
    assert view.count_by("office")[0] == ("A5区城市管理局", 4)
    only_2018 = overview(*FactsCache(store.overview_folder).current(store), Filters(2018, 2018))
    assert [r.office for r in only_2018.replies] == ["A市教育局"] * 3


def test_a_hot_issue_is_the_messages_on_one_matter_in_one_place_within_weeks(built):
    store, _ = built
    view = overview(*FactsCache(store.overview_folder).current(store))
    assert len(view.hot) >= 1
    fumes = view.hot[0]
    assert len(fumes.members) == 4 and fumes.places == ["A5区"]
    assert (fumes.first, fumes.last) == (date(2019, 7, 3), date(2019, 7, 27))
    assert {r.title for r in view.replies_of("hot", "1")} == {FUMES}
    assert any(w in fumes.words for w in ("油烟", "魅力", "餐饮店"))


def test_each_reply_is_graded_with_its_evidence(built):
    store, _ = built
    view = overview(*FactsCache(store.overview_folder).current(store))
    by_title = {r.title: r.quality for r in view.replies}
    passed_on = by_title["公交线路延伸到工业园8"]
    assert passed_on["formula"] and "已转交" in passed_on["formula_sentence"]
    fumes = by_title[FUMES]
    assert not fumes["formula"] and fumes["relevant"]
    assert sorted(r.quality["days"] for r in view.replies if r.title == FUMES) == [14, 26, 32, 38]  # each to 08-10
    assert {r.title for r in view.replies_of("finding", "formula")} == {f"公交线路延伸到工业园{n}" for n in (8, 9, 10)}
    assert {r.title for r in view.replies_of("finding", "promised")} == {FUMES}
    promised = fumes["commitments"]
    assert promised and "专项检查" in promised[0]["text"] and promised[0]["date"].startswith("2019年9月底")


def test_the_tables_are_written_as_csv_and_xlsx_with_chinese_headers(built, tmp_path):
    store, _ = built
    view = overview(*FactsCache(store.overview_folder).current(store))
    written = write_tables(view, tmp_path)
    names = {p.name for p in written}
    assert {"概览_主要话题.csv", "概览_热点问题.csv", "概览_答复单位.csv", "概览_回复质量.csv", "概览.xlsx"} <= names
    with (tmp_path / "概览_答复单位.csv").open(encoding="utf-8-sig") as file:
        offices = list(csv.reader(file))
    assert offices[0][:2] == ["答复单位", "件数"] and offices[1][:2] == ["A5区城市管理局", "4"]
    workbook = load_workbook(tmp_path / "概览.xlsx", read_only=True)
    assert {"按年份", "主要话题", "热点问题", "回复质量", "承诺事项"} <= set(workbook.sheetnames)
    promises = tables(view)["承诺事项"]
    assert len(promises) == 1 + 4 and all("专项检查" in row[3] for row in promises[1:])


def test_a_removal_updates_the_cached_overview_and_works_out_no_other_reply(built, monkeypatch):
    store, export = built
    cache = FactsCache(store.overview_folder)
    before, _ = cache.current(store)
    gone = next(r.doc_id for r in before if r.title == "公交线路延伸到工业园10")
    settings = settings_for(store.keyword_folder.parent.parent, corpus_paths=[export])
    IndexBuilder(settings, store).remove([gone])  # the removal brings the cache up to date
    worked_out = []
    monkeypatch.setattr("index.overview.facts_of", lambda record: worked_out.append(record) or pytest.fail("worked out"))
    after, vectors = cache.current(store)
    assert len(after) == len(before) - 1 and gone not in {r.doc_id for r in after}
    assert worked_out == [] and len(vectors) == len(after)


def test_topics_gather_alike_vectors_and_are_named_by_their_own_words():
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:2]
    vectors = np.vstack([centres[i] + 0.05 * rng.standard_normal((20, 8)) for i in (0, 1)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = [["幼儿园", "教师", "待遇", "问题"]] * 20 + [["油烟", "噪音", "餐饮店", "问题"]] * 20
    topics = find_topics(vectors, words)
    assert sorted(len(t.members) for t in topics) == [20, 20]
    named = {frozenset(words[t.members[0]]): t.words for t in topics}
    for own, shown in named.items():
        assert set(shown[:3]) <= own - {"问题"}  # a word every topic has names none


def test_alike_messages_far_apart_in_time_or_place_are_no_hot_issue():
    fumes = ["魅力之城", "油烟", "噪音", "餐饮店"]
    later = [Message(fumes, frozenset({"A5区"}), date(2019, 1 + 3 * i, 1)) for i in range(4)]
    elsewhere = [Message(fumes, frozenset({f"A{i}区"}), date(2019, 7, 1 + i)) for i in range(4)]
    assert hot_issues(later) == [] and hot_issues(elsewhere) == []


def test_a_real_teddy_slice_is_counted_graded_and_clustered(tmp_path, embedder):
    export = tmp_path / "teddy.xlsx"
    ids = teddy_slice(export, 40)
    settings = settings_for(tmp_path / "index", corpus_paths=[export])
    store = ReplyStore(settings)
    IndexBuilder(settings, store, embedder).build()
    view = overview(*FactsCache(store.overview_folder).current(store))
    assert len(view.replies) == len(ids) == sum(len(t.members) for t in view.topics)
    assert all(r.quality and r.asked for r in view.replies)
    days = [r.quality["days"] for r in view.replies]
    assert all(d is not None and 0 <= d < 400 for d in days)


@pytest.mark.parametrize(
    ("reply", "office"),
    [
        ("网友您好！经A5区城管局现场核查，A5区城管局已责令该店整改。", "A5区城管局"),
        ("根据市政府要求，A3区洋湖街道高度重视，立即组织人员到现场。", "A3区洋湖街道"),
        ("5月5日组织县公安局核查，情况属实。", "县公安局"),
        ("您反映的问题已转交县住建局办理。", ""),  # passed on: not the office that answers
        ("如有疑问，请电话到区医疗保障局咨询。", "区医疗保障局"),
    ],
)
def test_an_unsigned_reply_is_credited_to_the_body_it_names_as_acting(reply, office):
    assert answering_office(reply) == office


def test_a_damaged_cache_is_worked_out_again_and_an_empty_filter_or_index_shows_nothing(built, tmp_path):
    store, _ = built
    cache = FactsCache(store.overview_folder)
    facts, _ = cache.current(store)
    (store.overview_folder / "facts.npz").write_bytes(b"PK\x03\x04 cut short")
    again, vectors = cache.current(store)
    assert [r.doc_id for r in again] == [r.doc_id for r in facts] and len(vectors) == len(again)
    nothing = overview(again, vectors, Filters(signing_office="没有这个单位"))
    assert nothing.replies == [] and nothing.topics == [] and nothing.hot == [] and tables(nothing)["主要话题"][1:] == []
    empty = ReplyStore(settings_for(tmp_path / "empty"))
    assert overview(*FactsCache(empty.overview_folder).current(empty)).count_by("year") == []


def test_an_upload_to_a_large_archive_leaves_its_overview_to_the_next_opening(tmp_path, embedder, monkeypatch):
    export = tmp_path / "留言.csv"
    rows = messages()
    with export.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *rows[:3]])
    settings = settings_for(tmp_path / "index", corpus_paths=[export])
    store = ReplyStore(settings)
    monkeypatch.setattr("index.build._OVERVIEW_IN_BUILD", 2)  # "large": more replies than this
    IndexBuilder(settings, store, embedder).build()
    assert not FactsCache(store.overview_folder).exists()
    assert len(FactsCache(store.overview_folder).current(store)[0]) == 3  # worked out when 概览 first opens

    saved = (store.overview_folder / "facts.npz").stat().st_mtime_ns
    with export.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out).writerow(rows[3])
    IndexBuilder(settings, store, embedder).build()  # opened once: still not the upload's to wait for
    assert (store.overview_folder / "facts.npz").stat().st_mtime_ns == saved
    assert len(FactsCache(store.overview_folder).current(store)[0]) == 4
