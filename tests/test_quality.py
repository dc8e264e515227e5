"""Reply quality: whether a reply speaks to the message, answers its asks, is only set phrases, what it promises and by
when, and how long it took; on constructed replies and on rows of the Teddy export (tuning set only)."""

from __future__ import annotations

import pytest

from eval.quality_labels import main, teddy_messages
from eval.teddy import TEDDY
from index.quality import NO, PARTLY, YES, reply_quality, says_something
from text.dates import iso_date
from text.formulas import defers, is_formula, is_framing
from text.plans import PLAN

TITLE = "咨询A3区老旧小区改造"
MESSAGE = "请问我们小区什么时候改造？改造资金由谁出？"


def test_a_reply_that_only_forwards_the_message_is_a_formula_reply_and_names_its_set_phrase():
    quality = reply_quality(TITLE, MESSAGE, "您好！您的留言已收悉，已转交A3区住建局办理。")
    assert quality.formula and quality.formula_sentence == "您的留言已收悉，已转交A3区住建局办理。"
    assert not quality.relevant and quality.complete == NO
    assert not any(ask.addressed for ask in quality.asks) and not quality.commitments


def test_a_reply_of_facts_answers_every_ask_with_its_sentence_as_evidence():
    reply = "您好！经核实，该小区已列入2020年老旧小区改造计划，改造资金由中央补助和区财政承担。感谢您的关心！"
    quality = reply_quality(TITLE, MESSAGE, reply)
    assert quality.relevant and not quality.formula and quality.formula_sentence == ""
    assert quality.complete == YES and len(quality.asks) == 2
    assert all(ask.addressed and "区财政承担" in ask.evidence for ask in quality.asks)
    assert "感谢" not in quality.asks[1].evidence, "a set phrase is never the evidence"


def test_a_reply_answering_one_ask_of_two_is_partly_complete_and_names_the_ask_left_unanswered():
    message = "请问我们小区什么时候改造？停车位收费标准是多少？"
    reply = "您好！经核实，该小区已列入2020年老旧小区改造计划，将于2020年9月开工。感谢您的关心！"
    quality = reply_quality(TITLE, message, reply)
    assert quality.complete == PARTLY
    assert [ask.text for ask in quality.asks if not ask.addressed] == ["停车位收费标准是多少？"]


def test_a_commitment_is_the_planning_clause_with_the_deadline_as_written():
    reply = "经核实，该小区已列入改造计划。下一步，我局将于2020年6月底前完成改造。"
    quality = reply_quality(TITLE, MESSAGE, reply)
    assert [(c.text, c.date) for c in quality.commitments] == [("下一步，我局将于2020年6月底前完成改造", "2020年6月底前")]


def test_a_condition_before_a_plan_stays_with_it_and_a_plan_without_date_has_none():
    reply = "经检查，现场未发现违法改装。待检测结果出来后，市环保局将依法进行处理。"
    quality = reply_quality("举报汽修厂违法改装", "请查处违法改装。", reply)
    assert [(c.text, c.date) for c in quality.commitments] == [("待检测结果出来后，市环保局将依法进行处理", "")]


def test_days_run_from_the_message_to_the_reply_when_both_dates_are_known():
    reply = "经核实，该小区已列入改造计划。"
    assert reply_quality(TITLE, MESSAGE, reply, "2019-04-25", "2019-05-10").days == 15
    assert reply_quality(TITLE, MESSAGE, reply, "2019-04-25", "").days is None
    assert reply_quality(TITLE, MESSAGE, reply, "2019-02-30", "2019-05-10").days is None


@pytest.fixture(scope="module")
def teddy() -> dict[str, dict[str, str]]:
    if not TEDDY.exists():
        pytest.skip(f"the Teddy export is not at {TEDDY}")
    return teddy_messages()


def quality_of(row: dict[str, str]):
    return reply_quality(row["留言主题"], row["留言详情"], row["答复意见"], iso_date(row["留言时间"]), iso_date(row["答复时间"]))


def test_a_teddy_reply_forwarding_the_complaint_says_nothing_of_it(teddy):
    quality = quality_of(teddy["76664"])  # 丧葬费: "您的留言已收悉。关于您反映的问题，已转F6县调查处理。"
    assert quality.formula and quality.formula_sentence == "关于您反映的问题，已转F6县调查处理。"
    assert quality.complete == NO and not quality.relevant and quality.days == 14


def test_a_teddy_reply_planning_the_renovation_answers_it_and_promises_it_within_the_year(teddy):
    quality = quality_of(teddy["10501"])  # 徐家巷改造: "…目前正在进行前期摸底阶段，预计年内启动。"
    assert quality.relevant and not quality.formula and quality.complete == YES
    assert [(c.text, c.date) for c in quality.commitments] == [("预计年内启动", "年内")]


def test_a_teddy_reply_on_train_horns_answers_the_horns_and_the_timetable_not_what_will_be_done(teddy):
    quality = quality_of(teddy["92187"])  # 鸣笛: the law requires it, the timetable is national; no measure is named
    assert quality.relevant and not quality.formula and quality.complete == PARTLY
    assert any("白天运行" in ask.text and ask.addressed for ask in quality.asks)
    assert [ask.text for ask in quality.asks if not ask.addressed] == ["有关部门是不是针对这些问题采取一定的措施和管理？？"]


def test_the_evaluation_refuses_to_show_the_rows_of_a_blind_set(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--labels", str(tmp_path / "quality_labels_blind.jsonl"), "--show"])
    assert "blind" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sentence",
    [
        "关于您反映的问题，已转F6县调查处理。",
        "您反映的问题已转交相关部门，现正在积极处理，请耐心等待。",
        "您反映的问题相关部门已经答复。链接：https://baidu.com/",
        "您通过平台《问政西地省》的留言收悉，已转有关部门调查核处，如有相关情况将及时反馈，谢谢！",
        "因您咨询的问题未说详细，请您拨打市公安局户政大队办公电话：0746-8362789，我们了解详情后，为您解答。",
        "由于不掌握具体情况，我们无法直接答复您的诉求。",
        "谢谢您对公安工作的理解与支持。",
        "L3县委网宣办2015年4月20日",
    ],
)
def test_a_reply_that_defers_forwards_or_signs_off_says_nothing(sentence):
    assert not says_something(sentence, "咨询户籍问题", "我想咨询户籍问题。")


@pytest.mark.parametrize(
    "sentence",
    [
        "你反映的问题属实。",
        "我办将市民情况重新转交办于我市住建局，我市住建局表示将立即与投诉人联系。",
        "准备好上述资料后，由夫妻共同到A7县政务服务中心一楼窗口提交申请。",
    ],
)
def test_a_reply_that_states_a_finding_or_a_step_says_something(sentence):
    assert says_something(sentence, "咨询户籍问题", "我想咨询户籍问题。")


@pytest.mark.parametrize(
    "sentence",
    [
        "该路段将链接A5区和A6区，预计年底通车。",
        "详情请登录http://www.a.gov.cn，补贴标准为每户3000元。",
        "请您于11月30日前向我中心提交贷款申请。",
        "可直接向区医保局申请报销。",
        "K101路公交车已延伸至工业园。",
        "采矿许可证延期正在处理中，预计5月底前办结。",
    ],
)
def test_an_answer_in_a_deferrers_words_is_no_set_phrase_for_the_chat(sentence):
    """The chat's quotes and passages are chosen by is_framing: a sentence that tells the citizen what to do, where, or
    what is under way answers a question, however a deferring reply would word it."""
    assert not is_framing(sentence) and not is_formula(sentence)
    assert says_something(sentence, "咨询户籍问题", "我想咨询户籍问题。") or defers(sentence)


@pytest.mark.parametrize(
    ("sentence", "plans"),
    [
        ("我局将于6月底前完成改造。", True),
        ("我们会加强巡查。", True),
        ("请将申请材料交至社区居委会。", False),  # the citizen's step, not the office's promise
        ("慈善基金会分配善款。", False),
        ("市总工会按规定发放慰问金。", False),
        ("已承诺的事项均已完成。", False),
    ],
)
def test_a_promise_is_what_the_office_will_do(sentence, plans):
    assert bool(PLAN.search(sentence)) is plans
