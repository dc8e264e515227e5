"""The answer engine: retrieve, prompt, generate, check, answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from answer.check import AnswerCheck, Checked
from answer.llm import ChatModel, load_chat_model
from answer.paraphrase import ParaphraseCheck
from answer.passages import number_passages
from answer.prompt import messages
from answer.prompts import refusal_sentence, render, template
from answer.results import Answer, Token
from index.search import Filters, Hit, Searcher
from settings import Settings
from text.markers import strip_markers

log = logging.getLogger(__name__)


class AnswerEngine:
    """One engine behind the chat UI, the command line and the evaluation."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None, llm: ChatModel | None = None) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.llm = llm or load_chat_model(settings)
        self.check = AnswerCheck(ParaphraseCheck(self.searcher.embedder))

    def warm_up(self) -> None:
        """Load the model and evaluate the system prompt, so that the first question pays only for its own passages."""
        started = time.perf_counter()
        self.searcher.search("预热")
        for _ in self.llm.stream([{"role": "system", "content": template("system")}, {"role": "user", "content": "你好"}], 1):
            pass
        log.info("model ready in %.1f s", time.perf_counter() - started)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, filters: Filters | None = None) -> Answer:
        """The checked answer, without streaming."""
        for event in self.stream(question, history, filters):
            if isinstance(event, Answer):
                return event
        raise RuntimeError("the engine produced no answer")

    def stream(
        self, question: str, history: list[tuple[str, str]] | None = None, filters: Filters | None = None
    ) -> Iterator[Token | Answer]:
        """Tokens as the model writes them, then the checked Answer; filters restrict which replies are searched."""
        started = time.perf_counter()
        question = question.strip()[: self.settings.max_question_chars]
        if not question:
            yield Answer(question, "请输入问题。", refused=True)
            return
        timings: dict[str, float] = {}
        query = question
        if history and self.settings.history_turns > 0:
            query = self.standalone_question(question, history[-self.settings.history_turns :])
            timings["condense_s"] = round(time.perf_counter() - started, 3)
        searching = time.perf_counter()
        hits = self.searcher.search(query, self.settings.top_k, filters)
        timings["retrieve_s"] = round(time.perf_counter() - searching, 3)
        checked = Checked()
        if hits and max(h.coverage for h in hits) >= self.settings.min_relevance:
            passages = number_passages(query, hits, self.settings.context_chars)
            reply: list[str] = []
            for piece in self.llm.stream(messages(query, passages)):
                timings.setdefault("first_token_s", round(time.perf_counter() - started, 3))
                reply.append(piece)
                yield Token(piece)
            if not _is_refusal("".join(reply)):
                checked = self.check("".join(reply), query, passages)
        else:
            log.info("refused before generation: best coverage %.2f", max((h.coverage for h in hits), default=0))
        timings.setdefault("first_token_s", 0.0)
        timings["total_s"] = round(time.perf_counter() - started, 3)
        refused = not checked.citations
        answer = Answer(
            question=question,
            answer=refusal_sentence() if refused else checked.text,
            refused=refused,
            citations=checked.citations,
            unsupported=checked.unsupported,
            related=_related(hits) if refused else [],
            search_query=query,
            timings=timings,
            passages=[h.to_dict(rank) for rank, h in enumerate(hits, 1)],
        )
        log.info("answered %r: refused=%s citations=%d %s", question[:60], refused, len(answer.citations), timings)
        yield answer

    def standalone_question(self, question: str, history: list[tuple[str, str]]) -> str:
        """A follow-up ("那资金方面呢？") rewritten with the conversation into a question that stands alone."""
        turns = "\n".join(f"问：{q}\n答：{strip_markers(a)[:200]}" for q, a in history)
        prompt = render("condense", history=turns, question=question)
        rewritten = "".join(self.llm.stream([{"role": "user", "content": prompt}], max_tokens=80)).strip()
        rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
        if not rewritten or len(rewritten) > 4 * len(question) + 60:
            rewritten = f"{history[-1][0]} {question}"  # the model did not rewrite: search with the last question too
        log.info("follow-up %r read as %r", question, rewritten)
        return rewritten


def _is_refusal(reply: str) -> bool:
    return refusal_sentence().rstrip("。") in reply


def _related(hits: list[Hit]) -> list[dict]:
    """The documents offered as 可能相关 with a refusal: those retrieved that share a word with the question."""
    related: dict[str, dict] = {}
    for h in hits:
        if h.coverage > 0:
            related.setdefault(
                h.chunk.doc_id, {"doc_id": h.chunk.doc_id, "title": h.meta.get("title", ""), "source": h.meta.get("source", "")}
            )
    return list(related.values())
