"""The answer check: each sentence of the model's reply kept with the passage that supports it, or flagged."""

from __future__ import annotations

from dataclasses import dataclass, field

from answer.citations import Citation, citation, supporting_span
from answer.claims import complete_claims, own_clauses, restates, with_markers
from answer.paraphrase import ParaphraseCheck
from answer.passages import Passage
from answer.support import support
from text.markers import markers, strip_markers


@dataclass
class Checked:
    """The reply as checked: its sentences with markers of the passages that support them, and what lacks support."""

    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


class AnswerCheck:
    """Holds every sentence to the retrieved passages: the passage it cites if that supports it, else any other."""

    def __init__(self, paraphrase: ParaphraseCheck) -> None:
        self.paraphrase = paraphrase

    def __call__(self, reply: str, question: str, passages: list[Passage]) -> Checked:
        """Markers renumbered by first use; a sentence no passage supports is kept and listed as unsupported."""
        numbering: dict[int, int] = {}  # passage number -> marker shown to the user
        spans: dict[int, list[tuple[int, int]]] = {}  # passage number -> supporting spans inside it
        by_number = {p.n: p for p in passages}
        checked = Checked()
        sentences: list[str] = []
        for claim in complete_claims(reply):
            plain = strip_markers(claim).strip()
            if restates(plain, question):
                sentences.append(plain)
                continue
            # A marker [n] names the n-th passage shown; any retrieved passage may still support the sentence.
            cited = [by_number[n] for n in markers(claim) if n in by_number and by_number[n].shown]
            sources = self._sources(plain, question, passages, cited)
            if not sources:
                checked.unsupported.append(plain)
                sentences.append(plain)
                continue
            for passage, part in sources:
                numbering.setdefault(passage.n, len(numbering) + 1)
                spans.setdefault(passage.n, []).append(supporting_span(part, passage.hit.chunk.text))
            sentences.append(with_markers(plain, sorted({numbering[passage.n] for passage, _ in sources})))
        checked.text = "".join(sentences)
        checked.citations = [citation(shown, by_number[n].hit, spans[n]) for n, shown in numbering.items()]
        return checked

    def _sources(self, sentence: str, question: str, passages: list[Passage], cited: list[Passage]) -> list[tuple[Passage, str]]:
        """(passage, part of the sentence) pairs that support it: one passage for the whole sentence, or else one for
        each clause that says something of its own ("平台接入386个泊位，老旧社区划了1100个泊位" from two replies)."""
        whole = self._supporting_passage(sentence, question, passages, cited)
        if whole is not None:
            return [(whole, sentence)]
        parts = own_clauses(sentence, question)
        if len(parts) < 2:
            return []
        sources = [(self._supporting_passage(p, question, passages, cited), p) for p in parts]
        # Clauses of one passage that fail together were judged as one sentence: splitting them would dodge that.
        found = {passage.n if passage else None for passage, _ in sources}
        return [] if None in found or len(found) < 2 else sources

    def _supporting_passage(self, claim: str, question: str, passages: list[Passage], cited: list[Passage]) -> Passage | None:
        """The cited passage if it supports the claim, else the best retrieved passage that does, else None."""
        checks = {p.n: support(claim, p.checkable_text, question) for p in passages}
        for p in cited:
            if checks[p.n].supported:
                return p
        best = max(passages, key=lambda p: (checks[p.n].supported, checks[p.n].overlap))
        if checks[best.n].supported:
            return best
        # Short of shared wording only: the cited passage first, then the closest, if it says the same in other words.
        reworded = sorted((p for p in passages if checks[p.n].reworded), key=lambda p: (p not in cited, -checks[p.n].overlap))
        return next((p for p in reworded if self.paraphrase(claim, p.checkable_text)), None)
