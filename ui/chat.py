"""问答: the conversation, the passages found beside it (before the model writes), and the passage a chip opens."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from answer.engine import AnswerEngine
from answer.results import Answer, Quoted, Retrieved, Token, Waiting
from answer.word_file import answer_paper, copy_paths, write_copies
from index.search import Filters
from text.dates import years
from ui import render
from ui.documents import Documents

log = logging.getLogger("dafu.app")

EXAMPLES = [
    "河套合作区在跨境数据流动方面做了哪些工作？",
    "企业在高职院校设奖学金培养人才，区里最多支持多少？",
    "加装电梯的补贴标准是多少？",
    "以前有没有关于加装电梯的答复？",
]
FAILED = "出错了：这个问题没有得到回答，请换一种问法或缩短问题再试。"
# A question longer than settings.max_question_chars is cut by the engine, which says so; a paste longer than this is
# refused by the box itself, and by the API.
MAX_PASTE_CHARS = 5000
# A year range or an office is a few words: the years box takes no more, nor the API.
FILTER_CHARS = 100


def filters_from(year_text: str, kind: str, office: str) -> Filters | None:
    """Search filters from the filter fields; a year the filter cannot read is a ValueError saying how to write it."""
    chosen = Filters(*years(year_text), signing_office=(office or "").strip(), kind=kind or "")
    return chosen if chosen.where() else None


def history_of(turns: list[dict]) -> list[tuple[str, str]]:
    """The conversation so far as (question, answer) pairs, from the turns kept in the session, not from the page."""
    return [(t["question"], t["answer"]["answer"]) for t in turns if t.get("answer")]


class Chat:
    """The handlers of the 问答 tab; the engine does the work, this only renders it."""

    def __init__(self, engine: AnswerEngine, documents: Documents) -> None:
        self.engine = engine
        self.documents = documents

    def respond(
        self, message: str, turns: list[dict], year_text: str, kind: str, office: str, event: gr.EventData
    ) -> Iterator[tuple[str, str, str, list[dict]]]:
        """(conversation, evidence, textbox, turns) as the answer comes in: the passages, the place in line, the words,
        then the checked answer. An example button asks its own question."""
        if isinstance(event.target, gr.Button) and event.target.value in EXAMPLES:
            message = event.target.value
        message = (message or "").strip()
        if not message:
            gr.Info("请输入问题。")
            return
        if len(message) > MAX_PASTE_CHARS:  # the box stops a paste there, but a request need not come through the box
            gr.Warning(f"问题超过 {MAX_PASTE_CHARS} 字，请缩短后再问。")
            return
        try:
            filters = filters_from(year_text, kind, office)
        except ValueError as error:  # a year the filter cannot read: said, and nothing asked
            gr.Warning(render.esc(error))  # a toast renders HTML, and the error quotes what was typed
            return
        turns = [*turns, {"question": message, "status": "正在检索答复……", "streamed": ""}]
        turn, evidence = turns[-1], render.evidence([], 0)
        index = len(turns) - 1
        yield render.conversation(turns), evidence, "", turns  # the box is emptied once, then left to the user
        try:
            for event in self.engine.stream(message, history_of(turns[:-1]), filters):
                if isinstance(event, Retrieved):
                    turn["passages"] = event.passages
                    turn["status"] = "已找到相关段落，正在查找答复原文……" if event.passages else "没有找到相关段落。"
                    evidence = render.evidence(event.passages, index)
                elif isinstance(event, Quoted):
                    turn["quotes"] = event.quotes
                    turn["status"] = "以上为答复原文，正在生成摘要……" if event.quotes else "正在核对……"
                elif isinstance(event, Waiting):
                    turn["status"] = f"排队中：前面还有 {event.ahead} 人在使用模型，请稍候……"
                elif isinstance(event, Token):
                    turn["status"] = "正在生成回答（尚未核对）……"
                    turn["streamed"] += event.text
                elif isinstance(event, Answer):
                    turn["answer"] = event.to_dict()
                    turn["passages"] = event.passages or turn.get("passages", [])
                    evidence = render.evidence(turn["passages"], index)
                yield render.conversation(turns), evidence, gr.skip(), turns
        except Exception:  # a bad question must never take the chat down
            log.exception("failed to answer %r", message[:100])
            turn["answer"] = Answer(message, FAILED, refused=True).to_dict()
        yield render.conversation(turns), evidence, gr.skip(), turns

    def open(self, turns: list[dict], event: gr.EventData) -> str:
        """The passage a chip names inside its whole document, the cited span highlighted; or a document from a list."""
        data = getattr(event, "_data", None) or {}
        try:
            if data.get("action") == "cite":
                turn = turns[int(data["turn"])]
                return self.cited(turn, int(data["n"]))
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

    def cited(self, turn: dict, n: int, whole: bool = False) -> str:
        """Passage n of a turn in its document: the span the answer rests on marked (the whole passage when asked for it,
        or when the answer does not cite it)."""
        answer = turn.get("answer") or {}
        passage = next((p for p in turn.get("passages", []) if p["n"] == n), None)
        citation = next((c for c in answer.get("citations", []) if c["n"] == n), None)
        if passage is None:
            return gr.skip()
        if citation is not None and not whole:
            span, heading = (citation["start"], citation["end"]), f"[{n}] 回答所依据的原文"
        else:
            span, heading = (passage["start"], passage["end"]), f"[{n}] 检索到的段落"
        return self.documents.view(passage["doc_id"], [span], heading)

    @staticmethod
    def export(turns: list[dict], event: gr.EventData) -> list[str] | None:
        """The answer whose 导出 Word was clicked, as Word files: the copy to check and the clean copy to send."""
        data = getattr(event, "_data", None) or {}
        if data.get("action") != "export":
            return gr.skip()
        try:
            answer = turns[int(data["turn"])]["answer"]
        except (KeyError, IndexError, ValueError, TypeError):
            gr.Info("这条回答已不在对话中，请重新提问后再导出。")
            return gr.skip()
        paper = answer_paper(answer)
        folder = Path(tempfile.mkdtemp(prefix="dafu-answer-"))
        return [str(p) for p in write_copies(paper, *copy_paths(folder, paper.title))]
