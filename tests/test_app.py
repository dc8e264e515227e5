"""The app's parts without a browser: what it renders (escaped, chips, marks), its filters, its login setting."""

import pytest

from app import credentials
from settings import load_settings
from ui import render
from ui.chat import filters_from, history_of


def answer(**fields) -> dict:
    base = {"question": "q", "answer": "", "refused": False, "citations": [], "related": [], "sentences": [], "notice": ""}
    return {**base, **fields}


def test_answer_text_is_escaped_and_markers_become_chips():
    text = "回答<img src=x onerror=alert(1)>[1]"
    shown = render.answer_html(0, answer(answer=text, sentences=[{"text": text, "status": "supported"}]))
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert 'class="chip" data-action="cite" data-turn="0" data-n="1"' in shown


def test_sentences_without_support_are_marked_in_place():
    sentences = [
        {"text": "每台最高补助25万元[1]。", "status": "supported"},
        {"text": "最高可获得30%的支出，即50万元。", "status": "contradicted"},
        {"text": "另有奖励。", "status": "unsupported"},
    ]
    shown = render.answer_html(0, answer(answer="…", sentences=sentences))
    assert '<span class="contradicted" title="与答复内容不符">最高可获得30%的支出，即50万元。' in shown
    assert '<span class="unsupported" title="未在答复中找到依据">另有奖励。' in shown


def test_a_refusal_looks_like_one_and_offers_related_replies_without_paths():
    related = [{"doc_id": "d", "title": "关于加装电梯的答复", "kind": "代表建议", "source": "corpus/a.txt"}]
    shown = render.answer_html(0, answer(answer="答复中没有相关内容。", refused=True, related=related))
    assert 'class="bubble refusal"' in shown and "可能相关" in shown and "关于加装电梯的答复" in shown
    assert "corpus/a.txt" not in shown and 'data-action="open" data-doc="d"' in shown


def test_the_users_message_and_documents_are_text():
    shown = render.conversation([{"question": "$$x^2$$ <a href=x>链接</a> it's", "status": "…"}])
    assert "&lt;a href=x&gt;" in shown and "it&#x27;s" in shown  # the browser shows ' for &#x27;
    doc = render.document({"fields": {"title": "<script>"}, "sources": ["<b>.txt"]}, "正文<script>alert(1)</script>", [(0, 2)])
    assert "<script>" not in doc and '<mark class="cited first">正文</mark>' in doc


def test_filter_fields_become_search_filters():
    assert filters_from("", "", "") is None
    chosen = filters_from("2022-2024", "代表建议", " 住房和建设局 ")
    assert (chosen.year_from, chosen.year_to, chosen.kind, chosen.signing_office) == (2022, 2024, "代表建议", "住房和建设局")
    assert filters_from("2022至2024年", "", "").year_from == 2022
    assert filters_from("2022年以来", "", "").year_to is None
    with pytest.raises(ValueError, match="无法识别"):
        filters_from("某年", "", "")


def test_history_comes_from_the_session_not_the_page():
    turns = [{"question": "问一", "answer": answer(answer="答一[1]。")}, {"question": "问二", "status": "生成中"}]
    assert history_of(turns) == [("问一", "答一[1]。")]


@pytest.mark.parametrize("entry", ["nopassword", ":secret", "user:", " :x"])
def test_a_malformed_login_stops_the_app(entry: str):
    with pytest.raises(SystemExit, match="user:password"):
        credentials(load_settings(auth=[entry]))


def test_logins_are_read_from_settings():
    assert credentials(load_settings(auth=["staff:pa:ss"])) == [("staff", "pa:ss")]
    assert credentials(load_settings(auth=[])) is None
