"""停止 and 清空对话 without a browser: a stopped answer gives the model back at once, keeps what it showed or, cleared,
shows nothing more; one run at a time in a session, and a question asked while the last one stops waits for it."""

import threading
import time
from collections.abc import Iterator

import gradio as gr

from answer.engine import AnswerEngine
from text.suggestions import BadSuggestion
from ui.chat import Chat, settled
from ui.drafting import Drafting
from ui.stops import Stops

SCHOLARSHIP = "企业在高职院校设奖学金培养人才，区里最多支持多少？"


class EndlessModel:
    """Writes until it is closed, and counts how often it was."""

    def __init__(self) -> None:
        self.closed = 0

    def stream(self, messages, max_tokens=None) -> Iterator[str]:
        try:
            while True:
                time.sleep(0.01)
                yield "区里"
        finally:
            self.closed += 1


class Session:
    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash


class Typed:
    target = None


def until_streaming(replies: Iterator[tuple]) -> tuple:
    """The first reply in which the model has written something."""
    return next(r for r in replies if r[3] and r[3][-1].get("streamed"))


def model_is_free(engine: AnswerEngine) -> bool:
    ticket = engine.llm.turns.join()
    try:
        return ticket.wait(0)
    finally:
        ticket.leave()


def test_a_stopped_answer_gives_the_model_back_at_once_and_a_cleared_one_shows_nothing_more(corpus_settings, searcher):
    model = EndlessModel()
    engine = AnswerEngine(corpus_settings, searcher, model)
    chat, session = Chat(engine, None), Session("a")
    replies = chat.respond(SCHOLARSHIP, [], "", "", "", Typed(), session)
    until_streaming(replies)
    assert not model_is_free(engine), "the answer holds the model while it writes"
    chat.stop(session)
    conversation, _, _, turns, _ = list(replies)[-1]  # ended at the model's next word, not after it wrote its all
    assert model.closed == 1 and model_is_free(engine)
    assert turns[-1]["stopped"] and turns[-1]["streamed"].startswith("区里") and "answer" not in turns[-1]
    assert "已停止回答。下面是停止前写出的摘要，未经核对。" in conversation and 'class="bubble stopped"' in conversation
    assert "50万元" in conversation, "the reply's own sentences (答复原文) shown before the model wrote stay"

    replies = chat.respond("河套合作区布局了哪些科研平台？", turns, "", "", "", Typed(), session)  # the model is had again
    shown = until_streaming(replies)[3]
    assert [t["question"] for t in shown] == [SCHOLARSHIP, "河套合作区布局了哪些科研平台？"]
    emptied = chat.clear(session)
    assert emptied[3] == [] and emptied[5] is None
    last = list(replies)[-1]
    assert last[3] == [] and "在下方输入问题" in last[0], "a cleared answer's last word is the empty page"
    assert model.closed == 2 and model_is_free(engine)
    assert chat.clear(session)[3] == [], "清空对话 with nothing running only empties the page"


def entered(stops: Stops, session: Session):
    with stops.running(session) as run:
        return run


def test_one_run_at_a_time_in_a_session_and_one_asked_with_a_clear_waits_and_starts_afresh():
    stops, session, got = Stops(), Session("a"), []
    with stops.running(session) as first:
        assert entered(stops, session) is None, "a second question while the first is answered is refused"
        assert entered(stops, Session("b")) is not None, "another session is not held up"
        waiting = threading.Thread(target=lambda: got.append(entered(stops, session)))
        waiting.start()
        time.sleep(0.3)
        stops.stop(session, clear=True)  # 清空对话 clicked before the question, reaching the server after it
        time.sleep(0.3)
        assert first.stopped and first.cleared and not got, "the next waits for the stopped one to end"
    waiting.join(5)
    assert got and got[0].after_clear and not got[0].stopped
    assert entered(stops, session) is not None and not entered(stops, session).after_clear
    stops.stop(session)  # nothing running: nothing happens


def test_a_turn_whose_answer_never_came_is_followed_as_stopped():
    answered = {"question": "问一", "answer": {"answer": "答一。"}}
    cut = {"question": "问二", "status": "正在生成回答（尚未核对）……", "streamed": "区里"}
    turns = settled([answered, cut])
    assert turns[0] is answered and turns[1]["stopped"] and turns[1]["status"].startswith("已停止回答")
    assert "stopped" not in cut, "the session's own turns are not changed in place"


class RefusingDrafter:
    """Plumbing only: takes nothing pasted for a suggestion, as read_suggestion does for a text that is none."""

    def stream(self, text, office="", kind=""):
        raise BadSuggestion("建议内容为空")
        yield


def test_a_draft_refused_for_an_empty_box_or_a_text_that_is_no_suggestion_leaves_the_page_as_it_was():
    """A handler that yields nothing empties its outputs: the last draft on screen would be lost."""
    drafting = Drafting(RefusingDrafter(), documents=None)
    for text in ("", "   ", "不是建议"):
        assert list(drafting.write(text, "", "", Session("refused"))) == [(gr.skip(),) * 4]


class OneSentenceModel:
    """Plumbing only: answers every question with the one sentence its passage holds."""

    def stream(self, messages, max_tokens=None) -> Iterator[str]:
        yield "区里最多支持50万元[1]。"


def test_an_answer_cleared_as_its_last_output_goes_out_still_ends_on_the_empty_page(corpus_settings, searcher):
    chat, session = Chat(AnswerEngine(corpus_settings, searcher, OneSentenceModel()), None), Session("late")
    replies = chat.respond(SCHOLARSHIP, [], "", "", "", Typed(), session)
    next(r for r in replies if r[3] and r[3][-1].get("answer"))  # the checked answer
    assert next(replies)[3][-1].get("answer"), "its last output, built before the clear"
    chat.clear(session)
    assert next(replies)[3] == [], "the emptied page comes after it"
    assert next(replies, None) is None
