"""The answer check: each sentence of the model's reply held to the retrieved passages, and given a status."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from answer.citations import Citation, citation, supporting_span
from answer.claims import complete_claims, own_clauses, restates, with_markers
from answer.paraphrase import ParaphraseCheck
from answer.passages import Passage
from answer.prompts import refusal_sentence, undecided
from answer.reasons import reason
from answer.support import (
    Support,
    denies_in_force,
    figures_of_another,
    negations,
    quoted_names,
    support,
    verdict,
    without_denied,
)
from index.keywords import framing_words, tokenize
from text.markers import markers, strip_markers
from text.places import elsewhere
from text.sentences import sentence_spans
from text.units import units

SUPPORTED, UNSUPPORTED, CONTRADICTED = "supported", "unsupported", "contradicted"
# How a sentence without support is labelled wherever it is shown: in the app, in a Word file.
STATUS_LABELS = {UNSUPPORTED: "未在答复中找到依据", CONTRADICTED: "与答复内容不符"}
# Why a sentence is marked when no passage is left to read it against, or when the rules' reading of the closest
# passage finds nothing missing (it was turned down for its yes or no, or for speaking of another subject).
_NOTHING_FOUND = "没有检索到相关答复"
_ELSEWHERE = "检索到的答复说的是别的地方或年份"
_NOT_SAID = "答复没有明确说到这一点，是或否不能推断"
_OTHER_SUBJECT = "答复中的这一说法属于别的事项或对象"
_SAID_OTHERWISE = "答复另一处的说法与此不符"
# How much of that other sentence the reason quotes.
_QUOTED_CHARS = 40
# Words of mood and tense a yes or a no may add to what a passage says.
_MOOD_WORDS = frozenset(("可以", "能够", "能", "会", "可", "是", "有", "已经", "已", "都", "也", "就", "还", "目前", "现在"))
# A sentence about the rest, or a part, of something ("其余路段仍按每小时5元收费") does not deny a claim about one of them.
_OTHER_SCOPE = re.compile(r"其余|其他|其它|部分|个别|另有|另外")
# Words that only say how much of a subject a claim covers: "所有补贴已经取消" denies 补贴.
_WHOLE = frozenset(("所有", "全部", "一切", "各项", "各类", "任何"))


@dataclass(frozen=True)
class Sentence:
    """One sentence of the answer as shown: its text (markers included), its status and the passages it cites."""

    text: str
    status: str
    markers: tuple[int, ...] = ()
    reason: str = ""  # why a sentence without support is marked, in a phrase ("金额 50万元 不在资料中")


@dataclass
class Checked:
    """The reply as checked: every sentence with its status, and the citations of those that rest on a passage."""

    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    dropped: list[Sentence] = field(default_factory=list)  # turned down and left out of what is shown

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)

    @property
    def unsupported(self) -> list[str]:
        return [strip_markers(s.text) for s in self.sentences + self.dropped if s.status != SUPPORTED]

    def supported_only(self) -> Checked:
        """The reply without the sentences the check turned down: where the reply's own sentences are quoted, a summary
        sentence with no support in them only misleads."""
        kept = [s for s in self.sentences if s.status == SUPPORTED]
        return Checked(kept, self.citations, self.dropped + [s for s in self.sentences if s.status != SUPPORTED])


class AnswerCheck:
    """Holds every sentence to the retrieved passages: the passage it cites if that supports it, else any other."""

    def __init__(self, paraphrase: ParaphraseCheck) -> None:
        self.paraphrase = paraphrase

    def __call__(self, reply: str, question: str, passages: list[Passage]) -> Checked:
        """Each sentence with the markers [n] of the passages that support it, n being the passage's own number; a
        sentence no passage supports is kept, marked unsupported or contradicted."""
        spans: dict[int, list[tuple[int, int]]] = {}  # passage number -> supporting spans inside it
        by_number = {p.n: p for p in passages}
        passages = about_the_question(question, passages)
        # Programme names quoted anywhere among the passages, against which a figure's programme is told apart.
        programmes = set().union(*(quoted_names(p.checkable_text) for p in passages))
        checked = Checked()
        for claim in complete_claims(reply):
            plain = strip_markers(claim).strip()
            if is_refusal(plain) or plain.startswith(undecided().rstrip("。")):
                continue  # the model's own "not in the replies" or "not settled" says nothing to check: the quotes stand
            # A sentence that only repeats the question ("游泳馆对学生有优惠。") is a yes or a no: held to the passages
            # with no word of it taken as given, and every word of it must be there.
            yes_or_no = restates(plain, question)
            asked = "" if yes_or_no else question
            # A marker [n] names the n-th passage shown; any retrieved passage may still support the sentence.
            cited = [by_number[n] for n in markers(claim) if n in by_number and by_number[n].shown]
            sources = self._sources(plain, asked, passages, cited, programmes)
            if yes_or_no:
                sources = [(p, part) for p, part in sources if states_every_word(part, p.checkable_text)]
            if not sources:
                status, why = _failure(plain, asked, passages, programmes, yes_or_no, retrieved=bool(by_number))
                checked.sentences.append(Sentence(plain, status, reason=why))
                continue
            found = [(passage, part, supporting_span(part, passage.hit.chunk.text)) for passage, part in sources]
            if otherwise := said_otherwise(found, asked, passages):
                checked.sentences.append(Sentence(plain, CONTRADICTED, reason=f"{_SAID_OTHERWISE}：“{otherwise}”"))
                continue
            for passage, _, span in found:
                spans.setdefault(passage.n, []).append(span)
            numbers = tuple(sorted({passage.n for passage, _ in sources}))
            checked.sentences.append(Sentence(with_markers(plain, list(numbers)), SUPPORTED, numbers))
        checked.citations = [citation(n, by_number[n].hit, spans[n]) for n in sorted(spans)]
        return checked

    def _sources(
        self, sentence: str, question: str, passages: list[Passage], cited: list[Passage], programmes: set[str]
    ) -> list[tuple[Passage, str]]:
        """(passage, part of the sentence) pairs that support it: one passage for the whole sentence, or else one for
        each clause that says something of its own ("平台接入386个泊位，老旧社区划了1100个泊位" from two replies)."""
        whole = self._supporting_passage(sentence, question, passages, cited, programmes)
        if whole is not None:
            return [(whole, sentence)]
        parts = own_clauses(sentence, question)
        if len(parts) < 2:
            return []
        sources = [(self._supporting_passage(p, question, passages, cited, programmes), p) for p in parts]
        # Clauses of one passage that fail together were judged as one sentence: splitting them would dodge that.
        found = {passage.n if passage else None for passage, _ in sources}
        return [] if None in found or len(found) < 2 else sources

    def _supporting_passage(
        self, claim: str, question: str, passages: list[Passage], cited: list[Passage], programmes: set[str]
    ) -> Passage | None:
        """The cited passage if it supports the claim, else the best retrieved passage that does, else None."""
        passages = [p for p in passages if speaks_of(claim, question, p.checkable_text)]
        if not passages:
            return None
        checks = {p.n: reading(claim, question, p, programmes) for p in passages}
        for p in cited:
            if p.n in checks and checks[p.n].supported:
                return p
        best = max(passages, key=lambda p: (checks[p.n].supported, checks[p.n].overlap))
        if checks[best.n].supported:
            return best
        # Short of shared wording only: the cited passage first, then the closest, if it says the same in other words.
        reworded = sorted((p for p in passages if checks[p.n].reworded), key=lambda p: (p not in cited, -checks[p.n].overlap))
        return next((p for p in reworded if self.paraphrase(claim, p.checkable_text)), None)


def reading(claim: str, question: str, passage: Passage, programmes: set[str], result: Support | None = None) -> Support:
    """What the rules read of the claim against the passage (result: the plain support, when computed already); a
    passage that gives the claim's figure for another programme than the one asked about supports nothing."""
    result = result or support(claim, passage.checkable_text, question)
    if wrong := figures_of_another(claim, passage.checkable_text, question, programmes):
        result = replace(result, missing_facts=(*result.missing_facts, *sorted(wrong)))
    return result


def _failure(
    sentence: str, question: str, passages: list[Passage], programmes: set[str], yes_or_no: bool, retrieved: bool
) -> tuple[str, str]:
    """The status of a sentence no passage supports, and why: contradicted when a passage speaks of the same thing with
    another figure, polarity or mood, else unsupported; the reason read off the passage closest to the sentence."""
    if not passages:
        return UNSUPPORTED, _ELSEWHERE if retrieved else _NOTHING_FOUND
    plain = {p.n: support(sentence, p.checkable_text, question) for p in passages}
    against = [p for p in passages if verdict(sentence, p.checkable_text, question, result=plain[p.n]) == CONTRADICTED]
    closest = max(against or passages, key=lambda p: plain[p.n].overlap)
    why = reason(reading(sentence, question, closest, programmes, plain[closest.n]), sentence, closest.checkable_text)
    return (CONTRADICTED if against else UNSUPPORTED), why or (_NOT_SAID if yes_or_no else _OTHER_SUBJECT)


def said_otherwise(found: list[tuple[Passage, str, tuple[int, int]]], question: str, passages: list[Passage]) -> str:
    """A sentence of the reply a claim rests on that says otherwise, cut short; "" when none does. found: (passage,
    part of the claim, span supporting it). Any other retrieved sentence of the same reply, outside that span, that
    states as in force what the part denies: a planted "所有补贴已经取消" beside "每个交流慢充桩500元"."""
    for passage, part, (start, end) in found:
        for other in (p for p in passages if p.hit.chunk.doc_id == passage.hit.chunk.doc_id):
            text = other.hit.chunk.text
            for s, e in sentence_spans(text):
                outside = other.n != passage.n or not start <= s < end
                scoped = _OTHER_SCOPE.search(text[s:e])
                if outside and not scoped and names_the_denied(part, text[s:e]) and denies_in_force(part, text[s:e], question):
                    sentence = text[s:e]
                    return sentence if len(sentence) <= _QUOTED_CHARS else sentence[:_QUOTED_CHARS] + "…"
    return ""


def names_the_denied(claim: str, sentence: str) -> bool:
    """The sentence names what the claim denies: every word of the claim outside its negation ("补贴" of "所有补贴已经
    取消", not "所有"), the negated word itself ("补贴" of "没有补贴") when that is all the claim names."""
    negating, negated = negations(claim)
    words = {
        w
        for w in tokenize(strip_markers(claim))
        if len(w) > 1 and w not in _MOOD_WORDS | _WHOLE and not any(n in w for n in negating)
    }
    text = sentence.lower()
    return all(w in text for w in words - negated) and any(w in text for w in words)


def about_the_question(question: str, passages: list[Passage]) -> list[Passage]:
    """The passages that can answer the question: not those about another place or year than the one it names."""
    return [p for p in passages if not elsewhere(question, p.checkable_text, p.places)]


def speaks_of(claim: str, question: str, passage: str) -> bool:
    """The passage speaks of what the claim takes from the question: more than half of the question's words that the
    claim repeats ("加装电梯", "补贴"; not those that only frame it, "以后", "一般") are in it; or, where the reply puts
    them in its own words ("降至" for "降到"), more than half of their characters and pairs are, and no one of those
    words is missing whole. Words taken from the question need no support of their own, but a passage about canteen
    subsidies does not answer a question about elevator subsidies, nor one about 城市道路 a question about 农村公路."""
    asked = set(tokenize(question)) - framing_words(question)
    subject = [w for w in dict.fromkeys(tokenize(strip_markers(claim))) if w in asked and len(w) > 1]
    text = passage.lower()
    if not subject or sum(w in text for w in subject) > len(subject) / 2:
        return True
    repeated, found = units(claim) & units(question), units(text)
    return len(repeated & found) > len(repeated) / 2 and all(found & set(word) for word in subject)


def states_every_word(claim: str, passage: str) -> bool:
    """Every word of the claim is in the passage (outside what it quotes to deny), the little words of mood aside
    ("可以续租" is said by "可续租"): a yes or a no turns on one word."""
    text = without_denied(passage).lower()
    words = tokenize(strip_markers(claim))
    return all(word in text for word in words if not word.isdigit() and word not in _MOOD_WORDS)


def is_refusal(reply: str) -> bool:
    """The reply is the refusal sentence and nothing else."""
    return strip_markers(reply).strip().rstrip("。.") == refusal_sentence().rstrip("。")
