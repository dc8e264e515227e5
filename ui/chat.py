"""问答: the conversation, the passages found beside it (before the model writes), and the passage a chip opens."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing

import gradio as gr

from answer.citations import supporting_span
from answer.engine import AnswerEngine
from answer.results import Answer, Quoted, Retrieved, Token, Waiting
from answer.word_file import answer_paper, copy_paths, write_copies
from index.filters import Filters
from text.dates import years
from text.markers import strip_markers
from ui import render
from ui.documents import Documents
from ui.export_folder import export_folder
from ui.stops import Run, Stops

log = logging.getLogger("dafu.app")

EXAMPLES = [
    "河套合作区在跨境数据流动方面做了哪些工作？",
    "企业在高职院校设奖学金培养人才，区里最多支持多少？",
    "加装电梯的补贴标准是多少？",
    "以前有没有关于加装电梯的答复？",
]
FAILED = "出错了：这个问题没有得到回答，请换一种问法或缩短问题再试。"
STOPPED = "已停止回答。"
UNCHECKED = "下面是停止前写出的摘要，未经核对。"
ANSWERING = "上一个问题还没有回答完：请等它答完，或点“停止”后再问。"
# The question box refuses a question longer than settings.max_question_chars, all the engine reads; the API refuses one
# longer than this and has the engine say that it read only the first max_question_chars.
MAX_PASTE_CHARS = 5000
# What a question not asked changes: nothing (a handler that yields nothing empties every output, the box too).
_UNCHANGED = (gr.skip(),) * 5
# A year range or an office is a few words: the years box takes no more, nor the API.
FILTER_CHARS = 100


def filters_from(year_text: str, kind: str, office: str) -> Filters | None:
    """Search filters from the filter fields; a year the filter cannot read is a ValueError saying how to write it."""
    chosen = Filters(*years(year_text), signing_office=(office or "").strip(), kind=kind or "")
    return chosen if chosen.where() else None


def waiting_status(ahead: int) -> str:
    """The place in line as a waiting user reads it; 0 once it is their turn and the model reads the passages."""
    if ahead:
        return f"排队中：前面还有 {ahead} 人在使用模型，请稍候……"
    return "轮到您了：模型正在阅读资料……"


def stopped(turn: dict) -> dict:
    """A turn whose answer was stopped: what it showed stays, said to be unchecked."""
    return {**turn, "stopped": True, "status": STOPPED + (UNCHECKED if turn.get("streamed") else "")}


def settled(turns: list[dict]) -> list[dict]:
    """The turns a question follows. A turn without its answer was stopped: a question asked at once can be sent before
    the stopped answer's last words reach the page."""
    return [t if "answer" in t or t.get("stopped") else stopped(t) for t in turns]


def _emptied(box: str) -> tuple[str, str, str, list[dict], str]:
    """An empty conversation: (conversation, evidence, textbox, turns, viewer)."""
    return render.conversation([]), render.evidence([], 0), box, [], ""


def history_of(turns: list[dict]) -> list[tuple[str, str]]:
    """The conversation so far as (question, answer) pairs, from the turns kept in the session, not from the page."""
    return [(t["question"], t["answer"]["answer"]) for t in turns if t.get("answer")]


class Chat:
    """The handlers of the 问答 tab; the engine does the work, this only renders it."""

    def __init__(self, engine: AnswerEngine, documents: Documents) -> None:
        self.engine = engine
        self.documents = documents
        self.stops = Stops()

    def respond(
        self,
        message: str,
        turns: list[dict],
        year_text: str,
        kind: str,
        office: str,
        event: gr.EventData,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[str, str, str, list[dict], str]]:
        """(conversation, evidence, textbox, turns, viewer) as the answer comes in: the passages, the place in line, the
        words, then the checked answer; the viewer is emptied of the last question's passage. An example button asks its
        own question. One answer at a time in a session: a question asked while the last one is stopping waits for it."""
        if isinstance(event.target, gr.Button) and event.target.value in EXAMPLES:
            message = event.target.value
        message = (message or "").strip()
        if not message:
            gr.Info("请输入问题。", title="提示")
            yield _UNCHANGED
            return
        if len(message) > (limit := self.engine.settings.max_question_chars):  # refused whole, never cut short
            gr.Warning(
                f"问题超过 {limit} 字（现有 {len(message)} 字），没有提交。请缩短后再问；"
                "按整件建议查找先例请用“查找先例”，起草答复请用“起草答复”。",
                title="没有提交",
            )
            yield _UNCHANGED  # the question stays in the box to be shortened
            return
        try:
            filters = filters_from(year_text, kind, office)
        except ValueError as error:  # a year the filter cannot read: said, and nothing asked
            gr.Warning(render.esc(error), title="提示")  # a toast renders HTML, and the error quotes what was typed
            yield _UNCHANGED
            return
        with self.stops.running(request) as run:
            if run is None:
                gr.Info(ANSWERING, title="提示")
                yield _UNCHANGED  # the question stays in the box, to be asked when the last one is answered
                return
            yield from self._answer(message, [] if run.after_clear else settled(turns), filters, run)

    def _answer(
        self, message: str, turns: list[dict], filters: Filters | None, run: Run
    ) -> Iterator[tuple[str, str, str, list[dict], str]]:
        """The answer to a question asked, as respond yields it; asked to stop, it keeps what was shown and says it was
        stopped, or, cleared, shows nothing more than an empty conversation."""
        turns = [*turns, {"question": message, "status": "正在检索答复……", "streamed": ""}]
        turn, evidence = turns[-1], render.evidence([], 0)
        index = len(turns) - 1
        yield render.conversation(turns), evidence, "", turns, ""  # the box is emptied once, then left to the user
        try:  # closed at once when stopped: the model's turn goes to the next in line now, not when collected
            with closing(self.engine.stream(message, history_of(turns[:-1]), filters)) as events:
                for event in events:
                    # An answer already checked costs nothing more: kept when stopped, not when cleared.
                    if run.stopped and (run.cleared or not isinstance(event, Answer)):
                        turns[-1] = stopped(turn)
                        break
                    if isinstance(event, Retrieved):
                        turn["passages"] = event.passages
                        turn["status"] = "已找到相关段落，正在查找答复原文……" if event.passages else "没有找到相关段落。"
                        evidence = render.evidence(event.passages, index)
                    elif isinstance(event, Quoted):
                        turn["quotes"] = event.quotes
                        turn["status"] = "以上为答复原文，正在生成摘要……" if event.quotes else "正在核对……"
                    elif isinstance(event, Waiting):
                        turn["status"] = waiting_status(event.ahead)
                    elif isinstance(event, Token):
                        turn["status"] = "正在生成回答（尚未核对）……"
                        turn["streamed"] += event.text
                    elif isinstance(event, Answer):
                        turn["answer"] = event.to_dict()
                        turn["passages"] = event.passages or turn.get("passages", [])
                        evidence = render.evidence(turn["passages"], index)
                    yield render.conversation(turns), evidence, gr.skip(), turns, gr.skip()
        except Exception:  # a bad question must never take the chat down
            log.exception("failed to answer %r", message[:100])
            turn["answer"] = Answer(message, FAILED, refused=True).to_dict()
        if not run.cleared:
            yield render.conversation(turns), evidence, gr.skip(), turns, gr.skip()
        if run.cleared:  # last (looked at after the answer's own last output), so nothing it sent stands over the page
            yield _emptied(gr.skip())

    def stop(self, request: gr.Request | None = None) -> None:
        """停止: the session's answer ends at its next step, keeping what it has shown, marked as stopped."""
        self.stops.stop(request)

    def clear(self, request: gr.Request | None = None) -> tuple[str, str, str, list[dict], str, None]:
        """清空对话: the session's answer is stopped and shows nothing more; the conversation, the passages, the box, the
        viewer and the Word files are emptied."""
        self.stops.stop(request, clear=True)
        return *_emptied(""), None

    def open(self, turns: list[dict], event: gr.EventData) -> str:
        """The passage a chip names inside its whole document, the cited span highlighted; or a document from a list."""
        data = getattr(event, "_data", None) or {}
        try:
            if data.get("action") == "cite":
                turn = turns[int(data["turn"])]
                return self.cited(turn, int(data["n"]), sentence=int(data["s"]) if data.get("s") else None)
            if data.get("action") == "quote":  # a sentence of 答复原文, in its reply
                quote = (turns[int(data["turn"])].get("answer") or turns[int(data["turn"])])["quotes"][int(data["n"])]
                return self.documents.view(quote["doc_id"], [(quote["start"], quote["end"])], f"[{quote['n']}] 答复原文")
            if data.get("action") == "open" and data.get("turn") and data.get("n"):  # 查看全文 of a passage found
                return self.cited(turns[int(data["turn"])], int(data["n"]), whole=True)
            if data.get("action") == "open":
                return self.documents.view(str(data["doc"]))
        except (KeyError, IndexError, ValueError, TypeError):
            pass
        return gr.skip()

    def cited(self, turn: dict, n: int, whole: bool = False, sentence: int | None = None) -> str:
        """Passage n of a turn in its document, lightly shaded, and in it the sentence marked: the one the answer's
        sentence (the chip's) rests on, within the span the answer cites; the one nearest the question when the whole
        passage is asked for or the answer does not cite it."""
        answer = turn.get("answer") or {}
        passage = next((p for p in turn.get("passages", []) if p["n"] == n), None)
        citation = next((c for c in answer.get("citations", []) if c["n"] == n), None)
        if passage is None:
            return gr.skip()
        sentences = answer.get("sentences") or []
        claim = strip_markers(sentences[sentence]["text"]) if sentence is not None and sentence < len(sentences) else ""
        if citation is not None and not whole:
            at, text, heading = citation["start"], citation["text"], f"[{n}] 回答所依据的原文"
        else:
            at, text, heading = passage["start"], passage["text"], f"[{n}] 检索到的段落"
            claim = claim or turn["question"]
        start, end = supporting_span(claim, text) if claim else (0, len(text))
        marks = [(passage["start"], passage["end"]), (at + start, at + end)]
        return self.documents.view(passage["doc_id"], marks, heading)

    @staticmethod
    def export(turns: list[dict], event: gr.EventData) -> list[str] | None:
        """The answer whose 导出 Word was clicked, as Word files: the copy to check and the clean copy to send."""
        data = getattr(event, "_data", None) or {}
        if data.get("action") != "export":
            return gr.skip()
        try:
            answer = turns[int(data["turn"])]["answer"]
        except (KeyError, IndexError, ValueError, TypeError):
            gr.Info("这条回答已不在对话中，请重新提问后再导出。", title="提示")
            return gr.skip()
        paper = answer_paper(answer)
        folder = export_folder("answer")
        return [str(p) for p in write_copies(paper, *copy_paths(folder, paper.title))]
