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
from answer.questions import HISTORY_CHARS, PRECEDENT, YES_NO, Question, joined, read_question, shaped
from answer.quotes import Quote, QuoteFinder
from answer.results import Answer, Quoted, Retrieved, Token, Waiting
from answer.turns import QueueFull, Ticket, wait_for_turn
from index.filters import Filters
from index.keywords import tokenize
from index.search import Hit, Searcher
from index.store import IndexUnavailable
from settings import Settings
from text.markers import strip_markers
from text.places import elsewhere, years_named

log = logging.getLogger(__name__)

# What a user is told when the index's server cannot be reached.
UNREACHABLE = "答复库暂时无法连接，请稍后再试。"
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


@dataclass(frozen=True)
class Found:
    """What retrieval and extraction found for a question: the hits, the passages as numbered for the prompt and the
    answer, the quotes (the sentences that answer), and whether any passage is about the place and year asked."""

    hits: list[Hit]
    passages: list[Passage]
    quotes: list[Quote]
    about: bool

    @property
    def best_coverage(self) -> float:
        return max((h.coverage for h in self.hits), default=0.0)

    def quoted(self) -> list[dict]:
        """The quotes as shown and sent, each with the number of its passage."""
        number = {p.hit.chunk.chunk_id: p.n for p in self.passages}
        return [q.to_dict(number[q.hit.chunk.chunk_id]) for q in self.quotes]


class AnswerEngine:
    """One engine behind the chat UI, the API, the command line and the evaluation."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None, llm: ChatModel | None = None) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.llm = shared(llm, settings) if llm is not None else load_chat_model(settings)
        self.check = AnswerCheck(ParaphraseCheck(self.searcher.embedder))
        self.quotes = QuoteFinder(self.searcher.embedder)

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
        self, asked: str, history: list[tuple[str, str]] | None = None, filters: Filters | None = None
    ) -> Iterator[Retrieved | Quoted | Waiting | Token | Answer]:
        """The passages found and the reply sentences that answer (答复原文), the place in line while others use the
        model, the tokens of its summary as it writes them, then the checked Answer; filters restrict which replies are
        searched, history is the conversation so far."""
        started = time.perf_counter()
        cut = len(asked.strip()) > self.settings.max_question_chars
        asked = asked.strip()[: self.settings.max_question_chars]
        if not asked:
            yield Answer(asked, "请输入问题。", refused=True)
            return
        ticket: Ticket | None = None
        try:
            timings: dict[str, float] = {}
            # A follow-up leans on the whole conversation: what it leans on may be turns back.
            question = read_question(asked, (history or []) if self.settings.history_turns > 0 else [])
            if question.follow_up and self.settings.follow_ups == "rewritten":
                ticket = yield from wait_for_turn(self.llm.turns)
                rewritten = self.standalone_question(asked, (history or [])[-self.settings.history_turns :], ticket)
                question = shaped(rewritten, asked, follow_up=True)
                ticket.leave()  # retrieval needs no model: the next in line goes on, this one lines up again to write
                ticket = None
                timings["condense_s"] = round(time.perf_counter() - started, 3)
            if question.kind == PRECEDENT:
                yield self._precedents(question, filters, started, timings)
                return
            found = self.gather(question, filters, timings)
            run = _Run(asked, question.text, started, timings, found.hits, self._filter_notice(filters, found.hits))
            yield Retrieved([p.to_dict(rank) for rank, p in enumerate(found.passages, 1)])
            quotes = found.quoted()
            yield Quoted(quotes)
            timings["quotes_shown_s"] = round(time.perf_counter() - started, 3)
            checked = Checked()
            if found.hits and not found.about:
                run.notice = _elsewhere_notice(question.text, found.passages)
            elif found.quotes:
                ticket = yield from wait_for_turn(self.llm.turns)
                reply: list[str] = []
                turn = "question_yes_no" if question.kind == YES_NO else "question"
                for piece in self.llm.stream(messages(question.text, found.passages, turn), ticket=ticket):
                    timings.setdefault("first_token_s", round(time.perf_counter() - started, 3))
                    reply.append(piece)
                    yield Token(piece)
                ticket.leave()  # the check needs no model: the next in line goes on
                ticket = None
                if not is_refusal("".join(reply)):
                    checked = self.check("".join(reply), question.text, found.passages).supported_only()
                if checked.dropped:
                    run.notice = f"摘要中有 {len(checked.dropped)} 句与答复原文不符或找不到依据，已略去。{run.notice}"
            else:
                log.info("refused: no sentence of the passages answers (best coverage %.2f)", found.best_coverage)
            answer = self._answer(run, checked, quotes)
            answer.passages = [p.to_dict(rank) for rank, p in enumerate(found.passages, 1)]
            if cut:
                limit = self.settings.max_question_chars
                answer.notice = f"问题超过 {limit} 字，只按前 {limit} 字回答。{answer.notice}"
            yield answer
        except QueueFull:
            yield Answer(asked, "", refused=True, notice="现在排队等候的人太多，请稍后再问。")
        except IndexUnavailable as error:
            log.error("index unavailable: %s", error)
            yield Answer(asked, "", refused=True, notice=UNREACHABLE)
        finally:
            if ticket is not None:
                ticket.leave()

    def gather(self, question: Question, filters: Filters | None = None, timings: dict[str, float] | None = None) -> Found:
        """What an answer rests on, without the model: the passages retrieved, numbered, and the sentences of them that
        answer the question, which are what the prompt shows."""
        timings = {} if timings is None else timings
        searching = time.perf_counter()
        hits = self._retrieve(question, filters)
        timings["retrieve_s"] = round(time.perf_counter() - searching, 3)
        budget = question.budget(self.settings.context_chars, self.settings.list_context_chars)
        passages = number_passages(question, hits, budget)
        about = about_the_question(question.text, passages)
        quoting = time.perf_counter()
        quotes = self.quotes(question, [p.hit for p in about], self.searcher.keywords.idf) if about else []
        timings["quotes_s"] = round(time.perf_counter() - quoting, 3)
        if quotes:  # the prompt shows the quotes: numbered again with them
            passages = number_passages(question, hits, budget, quotes)
        return Found(hits, passages, quotes, bool(about))

    def _retrieve(self, question: Question, filters: Filters | None) -> list[Hit]:
        """The passages for the question, and for a question of several parts the best two for each part as well."""
        hits = self.searcher.search(question.text, self.settings.top_k, filters)
        if len(question.parts) > 1:
            hits += [h for part in question.parts for h in self.searcher.search(part, _PER_PART, filters)]
        first: dict[str, Hit] = {}
        for hit in hits:
            first.setdefault(hit.chunk.chunk_id, hit)
        return list(first.values())

    def _answer(self, run: _Run, checked: Checked, quotes: list[dict] | None = None) -> Answer:
        """The Answer, built once: the reply's sentences that answer and the checked summary, or the refusal with the
        nearest replies as 可能相关 when no sentence answers."""
        run.timings.setdefault("first_token_s", 0.0)
        run.timings["total_s"] = round(time.perf_counter() - run.started, 3)
        refused = not checked.citations and not quotes
        answer = Answer(
            question=run.question,
            answer=refusal_sentence() if refused else checked.text,
            quotes=quotes or [],
            refused=refused,
            citations=checked.citations,
            unsupported=checked.unsupported,
            related=_related(run.hits) if refused else [],
            search_query=run.query,
            timings=run.timings,
            sentences=[] if refused else [s.__dict__ for s in checked.sentences],
            dropped=[s.__dict__ for s in checked.dropped],
            notice=run.notice,
        )
        log.info("answered %r: refused=%s citations=%d %s", run.question[:60], refused, len(answer.citations), run.timings)
        return answer

    def _precedents(self, question: Question, filters: Filters | None, started: float, timings: dict[str, float]) -> Answer:
        """A question for earlier replies answered with the replies themselves, each with its best passage cited."""
        found = self.searcher.search_documents(question.subject, _PRECEDENTS, filters)
        # A reply whose best passage shares (almost) nothing with the subject is no precedent.
        documents = [d for d in found if d.passages[0].coverage >= self.settings.min_relevance]
        hits = [d.passages[0] for d in documents]
        notice = self._filter_notice(filters, found)
        run = _Run(question.asked, question.text, started, timings, [d.passages[0] for d in found], notice)
        checked = Checked()
        for n, document in enumerate(documents, 1):
            fields = document.metadata
            about = "，".join(str(fields[f]) for f in ("signing_office", "kind", "date") if fields.get(f))
            line = f"{n}. {fields.get('title') or '（无标题）'}" + (f"（{about}）" if about else "") + f"[{n}]\n"
            checked.sentences.append(Sentence(line, SUPPORTED, (n,)))
            checked.citations.append(citation(n, document.passages[0], document.sentences[:1]))  # its best sentence
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
        turns = "\n".join(f"问：{q[:HISTORY_CHARS]}\n答：{strip_markers(a)[:HISTORY_CHARS]}" for q, a in history)
        prompt = render("condense", history=turns, question=question)
        rewritten = "".join(self.llm.stream([{"role": "user", "content": prompt}], max_tokens=80, ticket=ticket)).strip()
        rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
        previous = history[-1][0][:HISTORY_CHARS]
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
