"""The answer engine: retrieve, prompt, generate, then check every sentence against the passages it cites."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from answer.context import excerpts
from answer.llm import ChatModel, Message, load_chat_model
from answer.paraphrase import ParaphraseCheck
from answer.prompts import refusal_sentence, render, template
from answer.support import claims, markers, own_clauses, restates, strip_markers, support, supporting_span
from index.search import Filters, Hit, Searcher, searchable_text
from settings import Settings

log = logging.getLogger(__name__)

_SENTENCE_END = tuple("。！？；!?.…”）)")
# Enough of a section heading to tell the model where a passage sits; the rest is prompt time.
_SECTION_CHARS = 24
# Delimiters of the passage block in the prompt; a passage may not forge them.
_FORGED_DELIMITERS = ("<<<", ">>>")


@dataclass
class Citation:
    """Where a claim comes from: a passage of a reply and the exact span of the document that supports it."""

    n: int
    doc_id: str
    title: str
    source: str
    section: str
    text: str
    start: int
    end: int
    passage: str = ""  # the whole retrieved passage, so a reader sees the span in context


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    related: list[dict] = field(default_factory=list)  # 可能相关: nearest documents offered with a refusal
    search_query: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    passages: list[dict] = field(default_factory=list)  # what retrieval found, in rank order, for evaluation and audit

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Token:
    """A piece of the model's reply, streamed before the checked answer."""

    text: str


class AnswerEngine:
    """One engine behind the chat UI, the command line and the evaluation."""

    def __init__(self, settings: Settings, searcher: Searcher | None = None, llm: ChatModel | None = None) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.llm = llm or load_chat_model(settings)
        self.paraphrase = ParaphraseCheck(self.searcher.embedder)

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
        if not hits or max(h.coverage for h in hits) < self.settings.min_relevance:
            log.info("refused before generation: best coverage %.2f", max((h.coverage for h in hits), default=0))
            answer = self._refusal(hits)
        else:
            messages, shown = self.prompt(query, hits)
            reply: list[str] = []
            for piece in self.llm.stream(messages):
                timings.setdefault("first_token_s", round(time.perf_counter() - started, 3))
                reply.append(piece)
                yield Token(piece)
            answer = self._check("".join(reply), query, hits, shown)
        timings.setdefault("first_token_s", 0.0)
        timings["total_s"] = round(time.perf_counter() - started, 3)
        answer.question, answer.search_query, answer.timings = question, query, timings
        log.info("answered %r: refused=%s citations=%d %s", question[:60], answer.refused, len(answer.citations), timings)
        answer.passages = [h.to_dict(n) for n, h in enumerate(hits, 1)]
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

    def prompt(self, question: str, hits: list[Hit]) -> tuple[list[Message], list[Hit]]:
        """The messages for the model, and the passages they show in the order of their [n] markers: of each
        retrieved passage only the sentences nearest the question, within settings.context_chars in all."""
        chosen = excerpts(question, [h.chunk.text for h in hits], self.settings.context_chars)
        shown = [hits[x.passage] for x in chosen]
        blocks = []
        for n, (hit, excerpt) in enumerate(zip(shown, chosen, strict=True), 1):
            same_reply = n > 1 and shown[n - 2].chunk.doc_id == hit.chunk.doc_id
            before = _header(shown[n - 2]) if same_reply else ("", "", "")
            # Office, date and section only where they differ from the passage before: repeating them costs prompt
            # time and tells the model nothing.
            about = " ".join(field for field, earlier in zip(_header(hit), before, strict=True) if field and field != earlier)
            blocks.append(render("passage", n=str(n), about=about, text=excerpt.text))
        passages = _defang("\n\n".join(blocks))
        messages: list[Message] = [
            {"role": "system", "content": template("system")},
            {"role": "user", "content": render("question", passages=passages, question=question)},
        ]
        return messages, shown

    def _refusal(self, hits: list[Hit], unsupported: list[str] | None = None) -> Answer:
        """The fixed refusal, with the nearest documents offered as 可能相关."""
        related: dict[str, dict] = {}
        for h in hits:
            if h.coverage <= 0:
                continue  # not one word in common with the question: not worth offering
            related.setdefault(
                h.chunk.doc_id, {"doc_id": h.chunk.doc_id, "title": h.meta.get("title", ""), "source": h.meta.get("source", "")}
            )
        return Answer("", refusal_sentence(), refused=True, unsupported=unsupported or [], related=list(related.values()))

    def _check(self, reply: str, question: str, hits: list[Hit], shown: list[Hit]) -> Answer:
        """Keep each sentence with the passage that supports it; renumber markers by first use; flag the rest."""
        if refusal_sentence().rstrip("。") in reply:
            return self._refusal(hits)
        numbering: dict[int, int] = {}  # passage index -> marker shown to the user
        spans: dict[int, list[tuple[int, int]]] = {}  # passage index -> supporting spans inside it
        sentences: list[str] = []
        unsupported: list[str] = []
        for claim in complete_claims(reply):
            plain = strip_markers(claim).strip()
            if restates(plain, question):
                sentences.append(plain)
                continue
            # A marker [n] names the n-th passage shown; any retrieved passage may still support the sentence.
            cited = [hits.index(shown[n - 1]) for n in markers(claim) if 1 <= n <= len(shown)]
            sources = self._sources(plain, question, hits, cited)
            if not sources:
                unsupported.append(plain)
                sentences.append(plain)
                continue
            for passage, part in sources:
                numbering.setdefault(passage, len(numbering) + 1)
                spans.setdefault(passage, []).append(supporting_span(part, hits[passage].chunk.text))
            sentences.append(_with_markers(plain, sorted({numbering[passage] for passage, _ in sources})))
        if not numbering:
            return self._refusal(hits, unsupported)
        citations = [self._citation(n, spans[i], hits[i]) for i, n in numbering.items()]
        return Answer("", "".join(sentences), refused=False, citations=citations, unsupported=unsupported)

    def _sources(self, sentence: str, question: str, hits: list[Hit], cited: list[int]) -> list[tuple[int, str]]:
        """(passage, part of the sentence) pairs that support it: one passage for the whole sentence, or else one for
        each clause that says something of its own ("平台接入386个泊位，老旧社区划了1100个泊位" from two replies)."""
        whole = self._supporting_passage(sentence, question, hits, cited)
        if whole is not None:
            return [(whole, sentence)]
        parts = own_clauses(sentence, question)
        if len(parts) < 2:
            return []
        sources = [(self._supporting_passage(p, question, hits, cited), p) for p in parts]
        # Clauses of one passage that fail together were judged as one sentence: splitting them would dodge that.
        found = {passage for passage, _ in sources}
        return [] if None in found or len(found) < 2 else sources

    def _supporting_passage(self, claim: str, question: str, hits: list[Hit], cited: list[int]) -> int | None:
        """The cited passage if it supports the claim, else the best retrieved passage that does, else None."""
        checks = {i: support(claim, _checkable_text(h), question) for i, h in enumerate(hits)}
        for i in cited:
            if checks[i].supported:
                return i
        best = max(checks, key=lambda i: (checks[i].supported, checks[i].overlap))
        if checks[best].supported:
            return best
        # Short of shared wording only: the cited passage first, then the closest, if it says the same in other words.
        reworded = sorted((i for i in checks if checks[i].reworded), key=lambda i: (i not in cited, -checks[i].overlap))
        return next((i for i in reworded if self.paraphrase(claim, _checkable_text(hits[i]))), None)

    def _citation(self, n: int, spans: list[tuple[int, int]], hit: Hit) -> Citation:
        """One source for every sentence resting on this passage: the span from the first to the last supporting sentence."""
        s, e = min(a for a, _ in spans), max(b for _, b in spans)
        offset = int(hit.meta.get("start", 0))
        return Citation(
            n=n,
            doc_id=hit.chunk.doc_id,
            title=str(hit.meta.get("title", "")),
            source=str(hit.meta.get("source", "")),
            section=str(hit.meta.get("section", "")),
            text=hit.chunk.text[s:e],
            start=offset + s,
            end=offset + e,
            passage=hit.chunk.text,
        )


def _header(hit: Hit) -> tuple[str, str, str]:
    """Where a passage comes from, as the prompt shows it: signing office, date, and the start of its section."""
    section = str(hit.meta.get("section", "")).split(" > ")[0][:_SECTION_CHARS]
    return str(hit.meta.get("signing_office", "")), _chinese_date(str(hit.meta.get("date", ""))), section


def _checkable_text(hit: Hit) -> str:
    """What a claim may rest on: the passage with its title and section, and the office and date the prompt showed."""
    office, date, _ = _header(hit)
    return "\n".join((searchable_text(hit.chunk), office, date))


def _chinese_date(iso: str) -> str:
    """2021-07-08 as the replies write it, 2021年7月8日, so the model copies it and the check recognises it."""
    year, _, rest = iso.partition("-")
    month, _, day = rest.partition("-")
    return f"{int(year)}年{int(month)}月{int(day)}日" if year and month and day else ""


def complete_claims(reply: str) -> list[str]:
    """The reply's sentences, without a last one cut off by the token limit."""
    sentences = claims(reply)
    if len(sentences) > 1 and not strip_markers(sentences[-1]).rstrip().endswith(_SENTENCE_END):
        sentences.pop()
    return sentences


def _defang(text: str) -> str:
    for delimiter in _FORGED_DELIMITERS:
        text = text.replace(delimiter, " ")
    return text


def _with_markers(sentence: str, ns: list[int]) -> str:
    """Put the markers [n] before the sentence's closing punctuation, as Chinese citations are written."""
    body = sentence.rstrip("。！？；!?")
    return body + "".join(f"[{n}]" for n in ns) + sentence[len(body) :]
