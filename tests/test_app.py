"""The app's parts without a browser: what it renders (escaped, chips, marks), its filters, its login setting."""

from pathlib import Path

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


def test_summary_sentences_turned_down_are_left_out_and_folded_away_with_why():
    dropped = [
        {"text": "最高可获得30%的支出，即50万元。", "status": "contradicted", "reason": "金额 50万元 不在资料中"},
        {"text": "另有奖励。", "status": "unsupported", "reason": "资料未提及“<b>奖励</b>”"},
    ]
    sentences = [{"text": "每台最高补助25万元[1]。", "status": "supported"}]
    shown = render.answer_html(0, answer(answer="每台最高补助25万元[1]。", sentences=sentences, dropped=dropped))
    summary, folded = shown.split('<details class="dropped">')
    assert "25万元" in summary and "50万元" not in summary and "另有奖励" not in summary
    assert "略去的 2 句摘要" in folded and '<li class="contradicted">最高可获得30%的支出，即50万元。' in folded
    assert "与答复内容不符" in folded and '<span class="reason">金额 50万元 不在资料中</span>' in folded
    assert "<b>" not in shown and "&lt;b&gt;奖励&lt;/b&gt;" in shown, "the reason quotes the answer: shown as text"


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


class FailingEngine:
    searcher = None
    settings = load_settings()

    def stream(self, question, history=None, filters=None):
        raise RuntimeError("index is gone")


class Clicked:
    target = None


def test_a_failing_engine_gives_a_message_not_a_crash():
    from ui.chat import Chat

    replies = list(Chat(FailingEngine(), None).respond("任何问题", [], "", "", "", Clicked()))
    turns = replies[-1][3]
    assert turns[-1]["answer"]["answer"].startswith("出错了") and "出错了" in replies[-1][0]


def test_an_export_keeps_formulas_as_text(tmp_path):
    from openpyxl import load_workbook

    from ui.precedents import Precedents

    found = [
        {
            "rank": 1,
            "title": '=HYPERLINK("http://x")',
            "kind": "群众留言",
            "signing_office": "",
            "date": "",
            "score": 0.1,
            "passages": [{"text": "+1+1"}],
            "source": "a.xlsx#1",
            "doc_id": "d",
        }
    ]
    csv_path, xlsx_path = Precedents.export(found, "电梯")
    assert "'=HYPERLINK" in Path(csv_path).read_text(encoding="utf-8-sig")
    sheet = load_workbook(xlsx_path).active
    assert sheet["B2"].value == '\'=HYPERLINK("http://x")' and sheet["B2"].data_type == "s" and sheet["G2"].value == "'+1+1"


def test_years_in_any_numeral():
    from text.dates import years

    assert years("近十二年", 2026) == (2015, 2026) and years("近两年", 2026) == (2025, 2026)
    with pytest.raises(ValueError):
        years("近0年", 2026)


@pytest.mark.parametrize("text", ["99999", "1900", "2028", "2022-20240", "2020至3000年"])
def test_an_impossible_year_is_an_error_not_an_empty_result(text: str):
    from text.dates import years

    assert years("1949-2027", 2026) == (1949, 2027)
    with pytest.raises(ValueError, match="不在 1949 至 2027 年之间"):
        years(text, 2026)


def test_an_app_open_to_the_network_needs_a_login():
    with pytest.raises(SystemExit, match="without a login"):
        credentials(load_settings(host="0.0.0.0", auth=[]))
    assert credentials(load_settings(host="0.0.0.0", auth=["staff:s3cret"])) == [("staff", "s3cret")]


def test_a_drafts_left_out_sentences_are_listed_with_their_reasons_as_text():
    section = {
        "heading": "一、关于补助标准",
        "point": "提高补助",
        "status": "covered",
        "sentences": [{"text": "每台最高补助25万元[1]。", "markers": [1], "stale": False}],
        "notes": [],
        "dropped": [{"text": "每台补助<b>40万元</b>。", "reason": "金额 40万元 不在资料中"}],
    }
    frame = {"title": "关于提高补助的答复", "salutation": "尊敬的代表：", "opening": "您提出的建议收悉。"}
    shown = render.draft({"points": [], "frame": frame, "sections": [section]})
    assert "未采用 1 句" in shown and '<span class="reason">金额 40万元 不在资料中</span>' in shown
    assert "<b>" not in shown and "&lt;b&gt;40万元&lt;/b&gt;" in shown


def test_a_passage_holding_the_cited_sentence_is_shaded_and_only_the_sentence_marked():
    text = "一、补贴\n\n区里按每台20万元补贴。验收合格后拨付。<b>"
    sentence = (text.index("区里"), text.index("补贴。") + 3)
    shown = render.document({"fields": {"title": "t"}}, text, [(6, len(text)), sentence])
    assert '<span class="passage-shade">' in shown and "&lt;b&gt;</span>" in shown
    assert '<mark class="cited first">区里按每台20万元补贴。</mark>' in shown and shown.count("<mark") == 1


def test_a_new_question_empties_the_viewer_and_one_too_long_is_refused_whole():
    import gradio as gr

    from ui.chat import Chat

    replies = list(Chat(FailingEngine(), None).respond("任何问题", [], "", "", "", Clicked()))
    assert replies[0][4] == ""  # the last question's passage goes at once
    too_long = "问" * (FailingEngine.settings.max_question_chars + 1)
    with pytest.warns(UserWarning, match="没有提交"):
        (unchanged,) = list(Chat(FailingEngine(), None).respond(too_long, [], "", "", "", Clicked()))
    assert all(output == gr.skip() for output in unchanged)  # the box, the conversation and the viewer stay as they were
    assert "不会自动截断" in render.limit_note("问题", 600) and "600" in render.limit_note("问题", 600)


def test_every_answer_has_its_own_export_button_and_exports_that_answer_in_two_copies():
    import docx
    import gradio as gr

    from ui.chat import Chat

    turns = [
        {"question": f"问题{n}", "answer": answer(question=f"问题{n}", answer=f"回答{n}[1]。", citations=[])} for n in (1, 2)
    ]
    turns.append({"question": "问题3", "answer": answer(question="问题3", answer="答复中没有相关内容。", refused=True)})
    shown = render.conversation(turns)
    assert shown.count('data-action="export"') == 2, "a refusal has nothing to send"
    assert 'data-action="export" data-turn="0">导出 Word</button>' in shown
    files = Chat.export(turns, gr.EventData(None, {"action": "export", "turn": "0"}))
    assert [Path(f).name for f in files] == ["核对稿《关于“问题1”的回答》.docx", "清稿《关于“问题1”的回答》.docx"]
    checking, clean = ([p.text for p in docx.Document(f).paragraphs] for f in files)
    assert "回答1[1]。" in checking and "回答1。" in clean
    assert isinstance(Chat.export(turns, gr.EventData(None, {"action": "cite", "turn": "0", "n": "1"})), type(gr.skip()))
