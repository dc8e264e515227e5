"""The chat UI: escaping, sources under answers, and a bad question never crashing the chat."""

from answer.citations import Citation
from answer.results import Answer
from app import build_ui, history_pairs, render_answer


def test_document_and_answer_text_is_escaped():
    citation = Citation(
        1, "d", "<b>标题</b>", "corpus/x.html", "一、", "<script>alert(1)</script>", 0, 10, "前文<script>alert(1)</script>后文"
    )
    html = render_answer(Answer("q", "回答<img src=x onerror=alert(1)>[1]", refused=False, citations=[citation]))
    assert "<script>" not in html and "<img" not in html and "<b>标题" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>" in html  # the supporting span is highlighted inside its passage


def test_sources_unsupported_and_related_are_listed():
    citation = Citation(
        1, "d", "关于加装电梯的答复", "corpus/a.txt", "二、", "每台最高补助25万元。", 5, 15, "每台最高补助25万元。"
    )
    html = render_answer(Answer("q", "每台最高补助25万元[1]。", refused=False, citations=[citation], unsupported=["另有奖励。"]))
    assert "来源" in html and "关于加装电梯的答复" in html and "未在答复中找到依据" in html
    refused = render_answer(
        Answer("q", "答复中没有相关内容。", refused=True, related=[{"doc_id": "d", "title": "某答复", "source": "a.txt"}])
    )
    assert "可能相关" in refused and "某答复" in refused


def test_history_becomes_question_answer_pairs():
    history = [
        {"role": "user", "content": "问一"},
        {"role": "assistant", "content": "答一"},
        {"role": "user", "content": "问二"},
        {"role": "assistant", "content": "答二"},
    ]
    assert history_pairs(history) == [("问一", "答一"), ("问二", "答二")]


class FailingEngine:
    def stream(self, question, history=None):
        raise RuntimeError("index is gone")


def test_a_failing_engine_gives_a_message_not_a_crash():
    ui = build_ui(FailingEngine())
    replies = list(ui.fn("任何问题", []))
    assert replies[-1].startswith("出错了")


def test_filter_fields_become_search_filters():
    from app import filters_from

    assert filters_from("", "", "") is None
    chosen = filters_from("2022-2024", "代表建议", " 南湖区住房和建设局 ")
    assert (chosen.year_from, chosen.year_to, chosen.kind) == (2022, 2024, "代表建议")
    assert chosen.signing_office == "南湖区住房和建设局"
    assert filters_from("2023", "", "").year_to == 2023
    assert filters_from("2022至2024年", "", "").year_from == 2022
    assert filters_from("去年", "", "") is None


def test_follow_ups_get_the_plain_answer_not_the_rendered_sources():
    citation = Citation(1, "d", "标题", "a.txt", "一、", "给予最高50万元支持。", 0, 10, "给予最高50万元支持。")
    rendered = render_answer(Answer("q", "区里给予最高50万元支持[1]。", refused=False, citations=[citation]))
    history = [{"role": "user", "content": "最多支持多少？"}, {"role": "assistant", "content": rendered}]
    assert history_pairs(history) == [("最多支持多少？", "区里给予最高50万元支持[1]。")]
