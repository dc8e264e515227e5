"""起草答复: a new suggestion in, its points and precedents at once, then the draft reply section by section, each
sentence cited, and the finished draft as a Word document."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import gradio as gr

from answer.draft import SUGGESTION_SUFFIXES, Draft, Drafter, DraftPlan, DraftSection, SectionStarted
from answer.engine import UNREACHABLE
from answer.results import Token, Waiting
from answer.turns import QueueFull
from answer.word_file import copy_paths, draft_paper, write_copies
from index.readers import UnreadableFile, read_file
from index.store import IndexUnavailable
from text.suggestions import BadSuggestion
from ui import render
from ui.chat import waiting_status
from ui.documents import Documents, in_staff_words
from ui.export_folder import export_folder
from ui.stops import Run, Stops

log = logging.getLogger("dafu.app")

FAILED = "出错了：草稿没有写完，请稍后再试，或缩短建议内容。"
BUSY = "现在排队等候的人太多，请稍后再起草。"
DRAFTING = "上一份草稿还没有写完：请等它写完，或点“停止”后再起草。"
# What a handler yields to leave the page as it is: one that yields nothing empties every output.
_UNCHANGED = (gr.skip(),) * 4
STOPPED = "已停止起草：上面是停止前已核对的部分，正在写的一节没有保留。"


class Drafting:
    """The handlers of the 起草答复 tab; the drafter does the work, this only renders it."""

    def __init__(self, drafter: Drafter, documents: Documents) -> None:
        self.drafter = drafter
        self.documents = documents
        self.stops = Stops()

    @staticmethod
    def read_upload(file: str | None) -> str:
        """The text of an uploaded suggestion, for the box; a file that cannot be read is said, by name."""
        if not file:
            return gr.skip()
        path = Path(file)
        if path.suffix.lower() not in SUGGESTION_SUFFIXES:
            kinds = "、".join(SUGGESTION_SUFFIXES)
            gr.Warning(render.esc(f"{path.name}：不支持的文件类型，请上传 {kinds} 文件。"), title="无法读取")
            return gr.skip()
        try:
            return read_file(path)
        except UnreadableFile as error:
            gr.Warning(render.esc(f"{path.name}：无法读取（{in_staff_words(error.reason)}）。"), title="无法读取")
            return gr.skip()

    def write(
        self, text: str, office: str, kind: str, request: gr.Request | None = None
    ) -> Iterator[tuple[str, str, dict, list[str] | None]]:
        """(draft, sources, progress, Word file) as the draft comes in: the points and precedents, each section as the
        model writes it and as checked, then the whole draft and its .docx. A failure keeps the sections already
        checked and says what happened in place of the one being written. One draft at a time in a session: one asked for
        while the last is stopping waits for it."""
        if not (text or "").strip():
            gr.Info("请先粘贴建议、提案或留言的内容，或上传文件。", title="提示")
            yield _UNCHANGED
            return
        with self.stops.running(request) as run:
            if run is None:
                gr.Info(DRAFTING, title="提示")
                yield _UNCHANGED  # the draft being written stays
                return
            yield from self._write(text, office, kind, run)

    def _write(self, text: str, office: str, kind: str, run: Run) -> Iterator[tuple[str, str, dict, list[str] | None]]:
        """The draft as write yields it; asked to stop, it keeps the sections checked and says it was stopped."""
        progress: dict = {}
        try:  # closed at once when stopped: the model's turn goes to the next in line now, not when collected
            with closing(self.drafter.stream(text, office or "", kind or "")) as events:
                for event in events:
                    # The plan and a checked section cost the model nothing more: kept when stopped, as the chat keeps
                    # a checked answer; what is still to be written is not.
                    if run.stopped and not isinstance(event, DraftPlan | DraftSection | Draft):
                        failure = STOPPED
                        break
                    if isinstance(event, DraftPlan):
                        progress = {"points": event.points, "passages": event.passages, "frame": event.frame, "sections": []}
                    elif isinstance(event, SectionStarted):
                        progress["writing"] = {"heading": event.heading, "status": "正在起草（尚未核对）……", "text": ""}
                    elif isinstance(event, Waiting):
                        progress["writing"]["status"] = waiting_status(event.ahead)
                    elif isinstance(event, Token):
                        progress["writing"]["status"] = "正在起草（尚未核对）……"
                        progress["writing"]["text"] += event.text
                    elif isinstance(event, DraftSection):
                        progress["writing"] = None
                        progress["sections"].append(event.section)
                        progress["points"][event.index]["status"] = event.section["status"]
                    elif isinstance(event, Draft):
                        progress["draft"] = event.to_dict()
                        yield render.draft(progress), self.sources(progress), progress, self.docx(progress["draft"])
                        return
                    yield render.draft(progress), self.sources(progress), progress, gr.skip()
        except BadSuggestion as error:
            gr.Warning(render.esc(error), title="提示")
            yield _UNCHANGED
            return
        except QueueFull:
            failure = BUSY
        except IndexUnavailable:
            failure = UNREACHABLE
        except Exception:  # a bad suggestion must never take the app down
            log.exception("failed to draft from %r", (text or "")[:100])
            failure = FAILED
        if progress:  # what was checked stays; the unchecked section being written goes
            progress |= {"writing": None, "error": failure}
            yield render.draft(progress), self.sources(progress), progress, gr.skip()
        else:
            gr.Warning(failure, title="提示")
            yield _UNCHANGED

    def stop(self, request: gr.Request | None = None) -> None:
        """Ask this session's draft to stop: it keeps the sections checked and says it was stopped."""
        self.stops.stop(request)

    @staticmethod
    def sources(progress: dict) -> str:
        """The precedents found for the points, numbered as the draft cites them."""
        return render.evidence(progress.get("passages", []), 0)

    @staticmethod
    def docx(draft: dict) -> list[str]:
        """The draft as Word files: the copy to check and the clean copy to send."""
        paper = draft_paper(draft)
        folder = export_folder("draft")
        return [str(p) for p in write_copies(paper, *copy_paths(folder, paper.title))]

    def open(self, progress: dict, event: gr.EventData) -> str:
        """The passage a chip names inside its whole reply, the span the draft rests on marked."""
        data = getattr(event, "_data", None) or {}
        try:
            n = int(data.get("n") or 0)
            if data.get("action") == "open" and not n:
                return self.documents.view(str(data["doc"]))
            cited = next((c for c in (progress.get("draft") or {}).get("citations", []) if c["n"] == n), None)
            passage = next(p for p in progress.get("passages", []) if p["n"] == n)
        except (KeyError, StopIteration, ValueError, TypeError):
            return gr.skip()
        if cited and data.get("action") == "cite":
            return self.documents.view(cited["doc_id"], [(cited["start"], cited["end"])], f"[{n}] 草稿所依据的原文")
        return self.documents.view(passage["doc_id"], [(passage["start"], passage["end"])], f"[{n}] 找到的先例段落")
