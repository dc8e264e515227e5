"""The answer engine: retrieve, prompt, generate, check, answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from answer.check import SUPPORTED, AnswerCheck, Checked, Sentence, about_the_question, is_refusal
from answer.citations import citation
from answer.llm import ChatModel, load_chat_model, shared
from answer.paraphrase import ParaphraseCheck
from answer.passages import Passage, number_passages
from answer.prompt import messages
from answer.prompts import refusal_sentence, render, template
from answer.questions import asks_for_replies, context_budget, leaned_on, parts_of, stands_alone, subject_of
from answer.results import Answer, Retrieved, Token, Waiting
from answer.turns import QueueFull, Ticket, wait_for_turn
from index.keywords import tokenize
from index.search import Filters, Hit, Searcher
from index.store import IndexUnavailable
from settings import Settings
from text.markers import strip_markers
from text.places import elsewhere, years_named

log = logging.getLogger(__name__)

# What a user is told when the index's server cannot be reached.
UNREACHABLE = "答复库暂时无法连接，请稍后再试。"
# How much of each earlier turn the follow-up rewrite sees: a pasted essay must not overflow the model's context.
_HISTORY_CHARS = 200
# Passages searched for each part of a question that asks several things.
_PER_PART = 2
# Replies listed for a question that asks which replies exist.
_PRECEDENTS = 5


@dataclass
class _Run:
    """What one answer gathers on its way, so that the Answer is built once at the end."""

    question: str
    query: str
    started: float
    timings: dict[str, float]
    hits: list[Hit]
    notice: str = ""


class AnswerEngine:
    """One engine behind the chat UI, the API, the command line and the evaluation."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None, llm: ChatModel | None = None) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.llm = shared(llm, settings) if llm is not None else load_chat_model(settings)
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
    ) -> Iterator[Retrieved | Waiting | Token | Answer]:
        """The passages found, the place in line while others use the model, the tokens as the model writes them, then
        the checked Answer; filters restrict which replies are searched, history is the conversation so far."""
        started = time.perf_counter()
        cut = len(question.strip()) > self.settings.max_question_chars
        question = question.strip()[: self.settings.max_question_chars]
        if not question:
            yield Answer(question, "请输入问题。", refused=True)
            return
        ticket: Ticket | None = None
        try:
            query = question
            turns = history[-self.settings.history_turns :] if history and self.settings.history_turns > 0 else []
            timings: dict[str, float] = {}
            if turns and not stands_alone(question):
                if self.settings.follow_ups == "joined":
                    query = joined(question, history)  # the whole conversation: what it leans on may be turns back
                else:
                    ticket = yield from wait_for_turn(self.llm.turns)
                    query = self.standalone_question(question, turns, ticket)
                    ticket.leave()  # retrieval needs no model: the next in line goes on, this one lines up again to write
                    ticket = None
                    timings["condense_s"] = round(time.perf_counter() - started, 3)
            if asks_for_replies(query):
                yield self._precedents(question, query, filters, started, timings)
                return
            searching = time.perf_counter()
            hits = self._retrieve(query, filters)
            timings["retrieve_s"] = round(time.perf_counter() - searching, 3)
            run = _Run(question, query, started, timings, hits, self._filter_notice(filters, hits))
            budget = context_budget(query, self.settings.context_chars, self.settings.list_context_chars)
            passages = number_passages(query, hits, budget)
            yield Retrieved([p.to_dict(rank) for rank, p in enumerate(passages, 1)])
            checked = Checked()
            if hits and not about_the_question(query, passages):
                run.notice = _elsewhere_notice(query, passages)
            elif hits and max(h.coverage for h in hits) >= self.settings.min_relevance:
                ticket = yield from wait_for_turn(self.llm.turns)
                reply: list[str] = []
                for piece in self.llm.stream(messages(query, passages), ticket=ticket):
                    timings.setdefault("first_token_s", round(time.perf_counter() - started, 3))
                    reply.append(piece)
                    yield Token(piece)
                ticket.leave()  # the check needs no model: the next in line goes on
                ticket = None
                if not is_refusal("".join(reply)):
                    checked = self.check("".join(reply), query, passages)
            else:
                log.info("refused before generation: best coverage %.2f", max((h.coverage for h in hits), default=0))
            answer = self._answer(run, checked)
            answer.passages = [p.to_dict(rank) for rank, p in enumerate(passages, 1)]
            if cut:
                limit = self.settings.max_question_chars
                answer.notice = f"问题超过 {limit} 字，只按前 {limit} 字回答。{answer.notice}"
            yield answer
        except QueueFull:
            yield Answer(question, "", refused=True, notice="现在排队等候的人太多，请稍后再问。")
        except IndexUnavailable as error:
            log.error("index unavailable: %s", error)
            yield Answer(question, "", refused=True, notice=UNREACHABLE)
        finally:
            if ticket is not None:
                ticket.leave()

    def _retrieve(self, query: str, filters: Filters | None) -> list[Hit]:
        """The passages for the question, and for a question of several parts the best two for each part as well."""
        hits = self.searcher.search(query, self.settings.top_k, filters)
        parts = parts_of(query)
        if len(parts) > 1:
            hits += [h for part in parts for h in self.searcher.search(part, _PER_PART, filters)]
        first: dict[str, Hit] = {}
        for hit in hits:
            first.setdefault(hit.chunk.chunk_id, hit)
        return list(first.values())

    def _answer(self, run: _Run, checked: Checked) -> Answer:
        """The Answer, built once: the checked sentences, or the refusal with the nearest replies as 可能相关."""
        run.timings.setdefault("first_token_s", 0.0)
        run.timings["total_s"] = round(time.perf_counter() - run.started, 3)
        refused = not checked.citations
        answer = Answer(
            question=run.question,
            answer=refusal_sentence() if refused else checked.text,
            refused=refused,
            citations=checked.citations,
            unsupported=checked.unsupported,
            related=_related(run.hits) if refused else [],
            search_query=run.query,
            timings=run.timings,
            sentences=[] if refused else [s.__dict__ for s in checked.sentences],
            notice=run.notice,
        )
        log.info("answered %r: refused=%s citations=%d %s", run.question[:60], refused, len(answer.citations), run.timings)
        return answer

    def _precedents(
        self, question: str, query: str, filters: Filters | None, started: float, timings: dict[str, float]
    ) -> Answer:
        """A question for earlier replies answered with the replies themselves, each with its best passage cited."""
        found = self.searcher.search_documents(subject_of(query), _PRECEDENTS, filters)
        # A reply whose best passage shares (almost) nothing with the subject is no precedent.
        documents = [d for d in found if d.passages[0].coverage >= self.settings.min_relevance]
        hits = [d.passages[0] for d in documents]
        run = _Run(question, query, started, timings, [d.passages[0] for d in found], self._filter_notice(filters, found))
        checked = Checked()
        for n, document in enumerate(documents, 1):
            fields = document.metadata
            about = "，".join(str(fields[f]) for f in ("signing_office", "kind", "date") if fields.get(f))
            line = f"{n}. {fields.get('title') or '（无标题）'}" + (f"（{about}）" if about else "") + f"[{n}]\n"
            checked.sentences.append(Sentence(line, SUPPORTED, (n,)))
            hit = document.passages[0]
            checked.citations.append(citation(n, hit, [(0, len(hit.chunk.text))]))
        answer = self._answer(run, checked)
        answer.precedents = [{"n": n, "doc_id": d.doc_id, **d.metadata} for n, d in enumerate(documents, 1)]
        answer.passages = [Passage(n, hit, hit.chunk.text).to_dict(n) for n, hit in enumerate(hits, 1)]
        return answer

    def _filter_notice(self, filters: Filters | None, hits: list[Hit]) -> str:
        """What to tell the user when the filters, not the question, left nothing to answer from."""
        if hits or filters is None or not filters.where():
            return ""
        return f"在筛选条件（{filters.describe()}）下没有找到答复；可放宽或清除筛选后再问。"

    def standalone_question(self, question: str, history: list[tuple[str, str]], ticket: Ticket | None = None) -> str:
        """A follow-up ("那资金方面呢？") rewritten with the conversation into a question that stands alone."""
        turns = "\n".join(f"问：{q[:_HISTORY_CHARS]}\n答：{strip_markers(a)[:_HISTORY_CHARS]}" for q, a in history)
        prompt = render("condense", history=turns, question=question)
        rewritten = "".join(self.llm.stream([{"role": "user", "content": prompt}], max_tokens=80, ticket=ticket)).strip()
        rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
        previous = history[-1][0][:_HISTORY_CHARS]
        asked, written = set(tokenize(question)), set(tokenize(rewritten))
        context = set(tokenize(previous)) - asked
        if (
            not rewritten
            or len(rewritten) > 4 * len(question) + 60
            or (asked and not asked & written)  # dropped what the follow-up asks
            or (context and not context & written)  # dropped what it leans on
        ):
            rewritten = joined(question, history)
        log.info("follow-up %r read as %r", question, rewritten)
        return rewritten


def joined(follow_up: str, history: list[tuple[str, str]]) -> str:
    """The follow-up after what it leans on, as one question to search, answer and check (prompts/follow_up.txt);
    one question, not two parts: the follow-up alone is no search."""
    return render("follow_up", previous=leaned_on(follow_up, history)[:_HISTORY_CHARS], question=follow_up)


def _elsewhere_notice(question: str, passages: list[Passage]) -> str:
    """What the replies found speak of, when it is another place or year than the question names."""
    asked = sorted(set().union(*(elsewhere(question, p.checkable_text, p.places) for p in passages)))
    named = [p.places | {f"{y}年" for y in years_named(p.checkable_text)} for p in passages]
    covered = sorted(set().union(*named))
    return f"找到的答复说的是{'、'.join(covered[:6])}，没有关于{'、'.join(asked)}的内容。"


def _related(hits: list[Hit]) -> list[dict]:
    """The documents offered as 可能相关 with a refusal: those retrieved that share a word with the question."""
    related: dict[str, dict] = {}
    for h in hits:
        if h.coverage > 0:
            fields = {f: h.meta.get(f, "") for f in ("title", "kind", "signing_office", "date", "source")}
            related.setdefault(h.chunk.doc_id, {"doc_id": h.chunk.doc_id, **fields})
    return list(related.values())
