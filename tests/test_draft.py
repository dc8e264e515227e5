"""Drafting a reply from precedents: the suggestion's points, the genre's structure, every sentence cited or a
placeholder, dated figures noted, and the Word export read back; end to end through the real bundled LLM."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import docx
import pytest

from answer.check import AnswerCheck
from answer.draft import COVERED, RELATED, Draft, Drafter, DraftPlan
from answer.llm import shared
from answer.paraphrase import ParaphraseCheck
from answer.word_file import answer_paper, write_docx
from index.keywords import own_words
from settings import PROJECT_ROOT
from tests.examples import ANSWER, ELEVATOR_SUBSIDY, OFFICE, PARKING, PARKING_POINTS
from text.offices import in_own_voice, own_word, same_office
from text.plans import PLAN
from text.suggestions import BadSuggestion, read_suggestion

ELEVATORS = """关于加大老旧小区加装电梯支持力度的建议
近年来，我区老旧小区加装电梯工作取得一定进展，但仍存在补贴标准偏低、审批流程繁琐等问题。
为此，建议：
一、提高加装电梯财政补贴标准。目前每台补贴偏低，建议适当提高。
二、简化审批流程，推行一窗受理。
三、对新能源汽车充电桩建设给予补贴。"""


class CitingModel:
    """Plumbing only: for each section, the next reply, with {n} filled by the number the prompt gives the passage that
    holds the reply's phrase (as a model reading the prompt would cite it)."""

    def __init__(self, *replies: tuple[str, str]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[dict]] = []

    def stream(self, messages, max_tokens=None) -> Iterator[str]:
        self.prompts.append(messages)
        if not self.replies:
            yield "答复中没有相关内容。"
            return
        phrase, reply = self.replies.pop(0)
        shown = re.findall(r"\[(\d+)\][^\n]*\n(.*?)(?=\n\n\[\d+\]|\n<<<)", messages[-1]["content"], re.S)
        n = next((number for number, text in shown if phrase in text), "99")
        yield reply.format(n=n)


def drafter_with(settings, searcher, model) -> Drafter:
    return Drafter(settings, searcher, shared(model, settings), AnswerCheck(ParaphraseCheck(searcher.embedder)))


@pytest.mark.parametrize(
    ("text", "kind", "labels"),
    [
        (ELEVATORS, "代表建议", ["提高加装电梯财政补贴标准", "简化审批流程，推行一窗受理", "对新能源汽车充电桩建设给予补贴"]),
        (
            "关于校园食品安全的提案\n学校食堂食品安全关系学生健康。建议：一是加强食材采购查验；二是推行明厨亮灶；三是建立家长陪餐制度。",
            "政协提案",
            ["加强食材采购查验", "推行明厨亮灶", "建立家长陪餐制度"],
        ),
        (
            "我家小区旁的河涌一到夏天就发臭，希望尽快治理。另外希望增加河道巡查频次。",
            "群众留言",
            ["我家小区旁的河涌一到夏天就发臭，希望尽快治理", "另外希望增加河道巡查频次"],
        ),
        (
            "关于发展夜间经济的建议\n一、现状\n夜间消费增长较快。\n二、几点建议\n（一）延长公交运营时间。\n（二）规范外摆经营。",
            "代表建议",
            ["延长公交运营时间", "规范外摆经营"],
        ),
        (
            "市长您好\n小区门口的路灯坏了很久，希望尽快修好。另外希望加装监控。",
            "群众留言",
            ["小区门口的路灯坏了很久，希望尽快修好", "另外希望加装监控"],
        ),
        (
            "关于加装电梯的建议\n存在以下问题：一是补贴偏低；二是审批繁琐。\n建议：加大支持力度，简化审批。",
            "代表建议",
            ["加大支持力度，简化审批"],
        ),
        ("关于食品监管的提案\n建议如下：一、加强监管。二、完善制度。", "政协提案", ["加强监管", "完善制度"]),
        ("关于停车难的建议\n建议：（一）增设停车位；（二）推行错时共享停车。", "代表建议", ["增设停车位", "推行错时共享停车"]),
        ("关于养老服务的建议\n建议如下：①加强监管；②加大投入。", "代表建议", ["加强监管", "加大投入"]),
        (
            "关于社区养老的建议\n建议如下：一是在“十、百、千”工程中增加社区养老内容；二是加大财政投入力度。",
            "代表建议",
            ["在“十、百、千”工程中增加社区养老内容", "加大财政投入力度"],
        ),
        (PARKING, "代表建议", PARKING_POINTS),  # as clerks paste it: title and points in one paragraph
        (
            "关于规范校外培训机构的提案：第一，建立白名单制度，第二，加强预收费监管，第三，畅通投诉渠道。",
            "政协提案",
            ["建立白名单制度", "加强预收费监管", "畅通投诉渠道"],
        ),
        (
            "我们小区停车太难了，一是希望在周边增设停车位，二是希望晚上开放附近单位的停车场。",
            "群众留言",
            ["希望在周边增设停车位", "希望晚上开放附近单位的停车场"],
        ),
        ("关于加强老旧小区停车管理的建议", "代表建议", ["加强老旧小区停车管理"]),  # a title alone: its subject
        ("我建议在小区门口加装路灯。", "群众留言", ["我建议在小区门口加装路灯"]),  # a citizen may 建议 too
        (  # the closing courtesy asks nothing of its own
            "尊敬的领导：\n希望在小区门口加装路灯。另外希望加装监控。恳请领导重视，谢谢！",
            "群众留言",
            ["希望在小区门口加装路灯", "另外希望加装监控"],
        ),
        (  # a request naming its subject is one however politely put, and its 谢谢 is no part of it
            "尊敬的领导：\n我家门口路灯坏了半年。希望领导重视路灯维修，谢谢！另外希望关注留守儿童。盼复。",
            "群众留言",
            ["希望领导重视路灯维修", "另外希望关注留守儿童"],
        ),
        ("关于公厕的建议\n1.增加公厕数量。\n2.改造老旧公厕。盼复，谢谢！", "代表建议", ["增加公厕数量", "改造老旧公厕"]),
        (
            "关于增加公交线路的建议\n1.增开城北至高铁站的公交线路。\n2.延长末班车时间。\n3.优化站点设置。",
            "代表建议",
            ["增开城北至高铁站的公交线路", "延长末班车时间", "优化站点设置"],
        ),
    ],
)
def test_a_suggestions_points_are_read_numbered_inline_or_as_the_sentences_that_ask(text, kind, labels):
    suggestion = read_suggestion(text)
    assert suggestion.kind == kind
    assert [p.label for p in suggestion.points] == labels


def test_a_draft_keeps_cited_sentences_drops_invented_ones_and_marks_points_without_precedent(
    corpus_settings, searcher, corpus_store
):
    model = CitingModel(
        ("25万元", "南湖区修订补助办法，每台最高补助由20万元提高至25万元[{n}]。每台补助还将提高到40万元[{n}]。"),
        ("一窗受理", "我局联合相关部门推行“一窗受理、并联审批”，审批时限由原来的45个工作日压缩至20个工作日[{n}]。"),
    )
    drafter = drafter_with(corpus_settings, searcher, model)
    events = list(drafter.stream(ELEVATORS, "南湖区民政局", today=date(2026, 12, 1)))
    plan = events[0]
    assert isinstance(plan, DraftPlan) and isinstance(events[-1], Draft)
    kinds = [type(e).__name__ for e in events]
    assert kinds[1:3] == ["SectionStarted", "Token"], "each section is announced before its words stream"
    assert all(p["precedents"] for p in plan.points[:2]), "points are listed with their precedents before the model writes"
    draft = events[-1]
    first, second, third = draft.sections
    assert first["status"] == COVERED and "25万元" in first["sentences"][0]["text"]
    assert [d["text"] for d in first["dropped"]] == ["每台补助还将提高到40万元。"], "an invented figure never reaches the draft"
    assert "40万元" in first["dropped"][0]["reason"], "the draft says why it left the sentence out"
    assert any("可能已有变化" in note for note in first["notes"]), "a figure from a reply over two years old is noted"
    assert second["status"] == COVERED
    assert second["sentences"][0]["text"].startswith("南湖区住房和建设局联合相关部门"), "another office's 我局 is named"
    assert third["status"] != COVERED and third["placeholder"].startswith("【待补充") and "充电桩" in third["placeholder"]
    assert [p["status"] for p in draft.points] == [s["status"] for s in draft.sections]
    # Every kept sentence cites a source, whose span is the reply's own text.
    passages = {p["n"]: p for p in draft.passages}
    for citation in draft.citations:
        assert citation.doc_id == passages[citation.n]["doc_id"]
        assert corpus_store.get_document(citation.doc_id).text[citation.start : citation.end] == citation.text
    for section in (first, second):
        assert all(s["markers"] and set(s["markers"]) <= {c.n for c in draft.citations} for s in section["sentences"])
    text = draft.text
    for part in (
        "南湖区民政局关于【会议届次】",
        "尊敬的【代表姓名】代表：",
        "一、关于“提高加装电梯财政补贴标准”",
        "下一步",
        "联系人",
        "资料来源：",
    ):
        assert part in text


def test_a_sentence_that_echoes_the_suggestion_is_not_taken_for_a_fact(corpus_settings, searcher):
    """The suggestion asks for a loan scheme; a sentence saying the scheme exists is dropped though it repeats the ask."""
    asked = "关于加装电梯的建议\n建议：一、建立加装电梯财政补贴和低息贷款贴息机制。二、提高加装电梯补贴标准。"
    model = CitingModel(("补助", "我区已建立加装电梯财政补贴和低息贷款贴息机制[{n}]。"))
    draft = drafter_with(corpus_settings, searcher, model).draft(asked, "南湖区住房和建设局")
    assert draft.sections[0]["status"] != COVERED
    assert [d["text"] for d in draft.sections[0]["dropped"]] == ["我区已建立加装电梯财政补贴和低息贷款贴息机制。"]


def test_a_passage_found_for_two_points_keeps_one_number(corpus_settings, searcher):
    twice = "关于加装电梯的建议\n一、提高加装电梯财政补助标准。\n二、加装电梯补助资金尽快拨付。"
    plan = next(drafter_with(corpus_settings, searcher, CitingModel()).stream(twice))
    numbers = {}
    for point in plan.points:
        for precedent in point["precedents"]:
            numbers.setdefault(precedent["doc_id"], set()).add(precedent["n"])
    assert len(plan.passages) == len({p["chunk_id"] for p in plan.passages}), "one number a passage"
    assert sorted(p["n"] for p in plan.passages) == list(range(1, len(plan.passages) + 1))


def test_figures_from_a_recent_reply_carry_no_note(corpus_settings, searcher):
    model = CitingModel(("25万元", "南湖区修订补助办法，每台最高补助由20万元提高至25万元[{n}]。"))
    draft = drafter_with(corpus_settings, searcher, model).draft(ELEVATORS, OFFICE, today=date(2024, 7, 1))
    assert draft.sections[0]["status"] == COVERED and draft.sections[0]["notes"] == []


NIGHTS = "关于发展夜间经济的建议\n建议：一、增建24小时城市书房。二、对夜间经营的外摆商户减免城市道路占用费。"
CULTURE = "南湖区文化广电旅游体育局"


NIGHT_BUSES = "关于发展夜间经济的建议\n建议：一、增建24小时城市书房。二、对夜班公交司机发放夜班补贴。"


def test_a_point_the_precedents_only_touch_on_is_marked_for_staff_not_called_answered(corpus_settings, searcher):
    """The reply opened night bus lines; it says nothing of the drivers' pay: related, not an answer (the quote finder
    takes the bus sentence for one)."""
    model = CitingModel(
        ("城市书房", "目前已建成24小时自助“城市书房”15家[{n}]。"),
        ("公交", "我局协调公交企业开通夜间公交线路4条，末班车延长至23时[{n}]。"),
    )
    draft = drafter_with(corpus_settings, searcher, model).draft(NIGHT_BUSES, CULTURE, today=date(2021, 7, 1))
    books, pay = draft.sections
    assert books["status"] == COVERED
    assert pay["status"] == RELATED and pay["placeholder"].startswith("【待补充")
    assert "发放夜班补贴" in pay["placeholder"] and "夜间公交线路4条" in pay["sentences"][0]["text"]
    assert "（先例中未出现“夜班”“司机”“补贴”等词）" in pay["placeholder"], "the clerk is told what to look up"
    assert draft.text.index("【待补充") < draft.text.index("夜间公交线路4条"), "the mark comes before what is offered"


def test_a_plan_from_an_earlier_year_is_noted_with_its_date(corpus_settings, searcher):
    model = CitingModel(("城市书房", "我区还计划再建5家“城市书房”[{n}]。"))
    draft = drafter_with(corpus_settings, searcher, model).draft(NIGHTS, CULTURE, today=date(2026, 12, 1))
    books = draft.sections[0]
    assert books["sentences"][0]["stale"]
    assert any("计划出自2021年6月18日的答复" in note for note in books["notes"]), books["notes"]
    same_year = drafter_with(corpus_settings, searcher, CitingModel(("城市书房", "还计划再建5家“城市书房”[{n}]。")))
    assert same_year.draft(NIGHTS, CULTURE, today=date(2021, 7, 1)).sections[0]["notes"] == []


@pytest.mark.parametrize("office", [OFFICE, "南湖区住建局", "区住房和建设局"])
def test_the_office_drafting_keeps_its_own_我局(corpus_settings, searcher, office):
    model = CitingModel(
        ("25万元", "每台最高补助由20万元提高至25万元[{n}]。"), ("一窗受理", "我局联合相关部门推行“一窗受理、并联审批”[{n}]。")
    )
    draft = drafter_with(corpus_settings, searcher, model).draft(ELEVATORS, office, today=date(2022, 7, 1))
    assert draft.sections[1]["sentences"][0]["text"].startswith("我局联合相关部门"), draft.sections[1]


@pytest.mark.parametrize(
    ("office", "sentence", "said"),
    [
        (OFFICE, "南湖区住房和建设局推行一窗受理[2]。", "我局推行一窗受理[2]。"),
        (OFFICE, "区住建局会同区财政局修订办法。", "我局会同区财政局修订办法。"),
        ("G市住房和城乡建设局", "市住建局已出台办法。", "我局已出台办法。"),
        ("南湖区发展和改革委员会", "南湖区发改委牵头编制规划。", "我委牵头编制规划。"),
        ("南湖区人民政府办公室", "区政府办公室印发通知。", "我办印发通知。"),
        (OFFICE, "区民政局负责审核。", "区民政局负责审核。"),
        ("南湖区住建局", "北湖区住建局已出台办法。", "北湖区住建局已出台办法。"),
        ("A市环境保护局", "B市环境保护局开展检查。", "B市环境保护局开展检查。"),
        ("南湖区住建局", "南湖区住建局长表示。", "南湖区住建局长表示。"),
        ("中共南湖区委", "南湖区委宣传部印发通知。", "南湖区委宣传部印发通知。"),
        ("南湖区人民政府", "区政府办公室印发通知。", "区政府办公室印发通知。"),
        ("南湖区人民政府", "南湖区人民政府印发通知。", "我区印发通知。"),
        ("南湖区市场监督管理局", "市市场监管局、区市场监管局联合检查。", "市市场监管局、我局联合检查。"),
        ("南湖区", "南湖区已建成书房。", "南湖区已建成书房。"),
    ],
)
def test_an_office_speaks_of_itself_as_我局_我委_我办(office, sentence, said):
    assert in_own_voice(sentence, office) == said


def test_an_office_without_a_known_ending_is_我单位():
    assert own_word("【承办单位】") == "我单位" and own_word("南湖街道办事处") == "我街道"


@pytest.mark.parametrize(
    ("sentence", "plans"),
    [
        *(("年内计划再建5家", True), ("将于明年建成", True), ("力争年底签约率达到80%", True), ("拟新建停车场", True)),
        *(("已将处理结果通报", False), ("纳入年度改造计划", False), ("综合考虑各方意见", False), ("争取到资金500万元", False)),
    ],
)
def test_a_plan_is_told_from_a_deed_done_and_from_将_meaning_把(sentence, plans):
    assert bool(PLAN.search(sentence)) == plans


def test_office_names_are_one_office_only_when_they_name_the_same_one():
    assert same_office("南湖区住建局", "南湖区住房和建设局") and same_office("区住建局", "南湖区住房和建设局")
    assert not same_office("A市住建局", "B市住建局") and not same_office("住建局", "南湖区住建局")


@pytest.mark.parametrize(("text", "kind", "said"), [("   ", "", "建议内容为空"), (ELEVATORS, "建议", "类型“建议”无法识别")])
def test_input_that_is_no_suggestion_is_refused_with_a_reason(corpus_settings, searcher, text, kind, said):
    with pytest.raises(BadSuggestion, match=said):
        drafter_with(corpus_settings, searcher, CitingModel()).draft(text, kind=kind)


def test_a_chat_answer_exports_to_word_with_its_notice_and_sources(tmp_path: Path):
    path = write_docx(answer_paper(ANSWER), tmp_path / "answer.docx")
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs[0] == f"关于“{ELEVATOR_SUBSIDY}”的回答"
    assert ANSWER["answer"] in paragraphs and ANSWER["notice"] in paragraphs
    assert not any("每年发放两次" in p for p in paragraphs), "a sentence left out of the answer is left out of the file"
    assert "资料来源" in paragraphs
    assert any(
        p.startswith("[1] 区住房和建设局关于加装电梯的答复") and "2024年6月12日" in p and "25万元" in p for p in paragraphs
    )


@pytest.mark.llm
def test_a_suggestion_file_is_drafted_by_the_real_model_and_exported_to_word(corpus_settings, corpus_store, tmp_path: Path):
    suggestion = docx.Document()
    for line in ELEVATORS.splitlines():
        suggestion.add_paragraph(line)
    suggestion.save(str(tmp_path / "建议.docx"))
    env = {**os.environ, "DAFU_DATA_DIR": str(corpus_settings.data_dir)}
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "answer",
            "draft",
            str(tmp_path / "建议.docx"),
            "--office",
            OFFICE,
            "--json",
            "--docx",
            str(tmp_path / "草稿.docx"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    draft = json.loads(done.stdout)
    print(f"draft in {time.perf_counter() - started:.0f} s, timings {draft['timings']}")
    assert len(draft["sections"]) == 3
    assert draft["sections"][2]["status"] != COVERED, "no precedent speaks of charging piles"
    assert draft["sections"][2]["placeholder"].startswith("【待补充")
    covered = [s for s in draft["sections"] if s["status"] == COVERED]
    assert covered, "the elevator points have precedents in the corpus"
    cited = {c["n"]: c for c in draft["citations"]}
    for section in covered:
        for sentence in section["sentences"]:
            assert sentence["status"] == "supported" and sentence["markers"] and set(sentence["markers"]) <= set(cited)
    for citation in draft["citations"]:
        document = corpus_store.get_document(citation["doc_id"])
        assert document.text[citation["start"] : citation["end"]] == citation["text"]
    # The Word file reads as the reply: title, greeting, sections, placeholder, and the sources with their spans.
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "草稿.docx")).paragraphs]
    assert paragraphs[0].startswith(OFFICE) and paragraphs[1] == "尊敬的【代表姓名】代表："
    assert any(p.startswith("一、关于“提高加装电梯财政补贴标准”") for p in paragraphs)
    assert any(p.startswith("【待补充") and "充电桩" in p for p in paragraphs)
    sources = paragraphs[paragraphs.index("资料来源") + 1 :]
    assert len(sources) == len(cited)
    assert all(c["text"].strip()[:20] in line for c, line in zip(draft["citations"], sources, strict=True))


def test_a_points_own_words_leave_out_the_subject_its_title_names_unless_nothing_else_is_left():
    title = "关于加强老旧小区停车管理和增设充电设施的建议"
    suggestion = read_suggestion(f"{title}：一是挖掘小区周边停车资源，二是规范小区内停车收费。", "代表建议")
    fees = own_words(suggestion.points[1].text, suggestion.title, lambda word: 1.0)
    assert "收费" in fees and "停车" not in fees and "小区" not in fees
    numbered = read_suggestion("关于加强家庭医生签约服务的建议\n1. 加强家庭医生签约服务。\n2. 增加社区医生。", "代表建议")
    first = own_words(numbered.points[0].text, numbered.title, lambda word: 1.0)
    assert "1" not in first and "签约" in first, "the point's number is not its word; its title's words are all it has"


def test_when_the_check_keeps_none_of_the_models_sentences_the_precedents_own_sentences_stand_in(corpus_settings, searcher):
    """The model invents a figure for 城市书房: the check drops it, and the reply's own sentence on the point is cited."""
    model = CitingModel(("城市书房", "目前已建成24小时自助“城市书房”99家[{n}]。"))
    draft = drafter_with(corpus_settings, searcher, model).draft(NIGHTS, CULTURE, today=date(2021, 7, 1))
    books = draft.sections[0]
    assert books["status"] == COVERED
    assert any("15家" in s["text"] for s in books["sentences"]), "the precedent's own figure, cited"
    assert not any("99家" in s["text"] for s in books["sentences"]) and "99家" in books["dropped"][0]["text"]
    assert "（本节摘自先例答复原文，请按本单位口吻核改。）" in books["notes"]
