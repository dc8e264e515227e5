"""What of the retrieved passages goes into the prompt: the sentences nearest the question, within a character budget.

Prompt evaluation is the CPU's bottleneck (about 45 tokens/s for the bundled 1.5B on 2 cores), so every character
in the prompt is paid for before the first token. On the corpus question set, 200 characters picked sentence by
sentence keep the evidence of 87% of the questions, as 150 characters around one sentence of each of three
passages (450 in all) did, in a prompt of about 196 tokens instead of about 360 (250 characters keep 91%).
The answer check still reads each whole passage.
"""

from __future__ import annotations

from dataclasses import dataclass

from text.headings import counts_off, opens_points
from text.sentences import sentence_spans
from text.units import units

# A sentence this short before a chosen one is its list head ("一是加密监测频次。"): it comes along.
_HEAD_CHARS = 20
_GAP = "……"
# A point of a list may run on for this many sentences before the next point ("一是…。需提供…。二是…").
_POINT_SENTENCES = 3
# A sentence sharing less than a fifth of what the best one shares with the question is filler.
_MIN_SHARE_OF_BEST = 0.2


@dataclass(frozen=True)
class Excerpt:
    """The chosen sentences of one retrieved passage, in their order, with … where sentences were left out."""

    passage: int  # index into the retrieved passages
    text: str


def excerpts(question: str, passages: list[str], budget: int, whole_lists: bool = False) -> list[Excerpt]:
    """The sentences of the passages that share most with the question, best first, until budget characters are
    used; each passage's sentences in reading order, passages in rank order, those with nothing chosen left out.
    The best sentence is always kept, even when it alone is over budget; with whole_lists, a list goes whole."""
    wanted = units(question)
    candidates = []  # (shared units, -rank, start, end, passage)
    for rank, text in enumerate(passages):
        spans = sentence_spans(text)
        shares = [len(units(text[start:end]) & wanted) for start, end in spans]
        if whole_lists:
            shares = _points_share_their_best(text, spans, shares)
        for i, ((start, end), shared) in enumerate(zip(spans, shares, strict=True)):
            if i > 0 and spans[i - 1][1] - spans[i - 1][0] <= _HEAD_CHARS:
                start = spans[i - 1][0]
            candidates.append((shared, -rank, start, end, rank))
    candidates.sort(key=lambda c: (c[0], c[1], -c[2]), reverse=True)
    chosen: dict[int, list[tuple[int, int]]] = {}
    used = 0
    for shared, _, start, end, rank in candidates:
        if chosen and shared <= _MIN_SHARE_OF_BEST * candidates[0][0]:
            break
        if chosen and used + end - start > budget:
            continue
        kept = chosen.setdefault(rank, [])
        used += end - start - sum(min(end, e) - max(start, s) for s, e in kept if s < end and start < e)
        kept.append((start, end))
    return [Excerpt(rank, joined_spans(passages[rank], chosen[rank])) for rank in sorted(chosen)]


def _points_share_their_best(text: str, spans: list[tuple[int, int]], shares: list[int]) -> list[int]:
    """Each list of counted-off points ("1、…；2、…", "①…", "一是…。…。二是…") shares the best score of its sentences
    and of the sentence leading into it: the lead-in repeats the question's words, the items seldom do, and a list
    answer needs them all."""
    shared = list(shares)
    for first, last in point_lists(text, spans):
        best = max(shares[first : last + 1])
        shared[first : last + 1] = [best] * (last + 1 - first)
    return shared


def point_lists(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last) sentence of each list of two or more counted-off points, with the sentence leading into it."""
    found = []
    for first, last in _lists(text, spans):
        before = range(first - 1, max(first - 1 - _POINT_SENTENCES, -1), -1)
        lead = next((i for i in before if opens_points(text[slice(*spans[i])])), None)
        found.append((first if lead is None else lead, last))  # what lies between is the first point, inside the lead-in
    return found


def _lists(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last) sentence of each list of two or more points; a point may run on for a few sentences."""
    points = [i for i, span in enumerate(spans) if counts_off(text[slice(*span)])]
    lists: list[list[int]] = []
    for i in points:
        if lists and i - lists[-1][-1] <= _POINT_SENTENCES:
            lists[-1].append(i)
        else:
            lists.append([i])
    return [(run[0], run[-1]) for run in lists if len(run) > 1]


def joined_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The spans of text in order, overlapping ones merged, with … where text between them was left out."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    for n, (start, end) in enumerate(merged):
        if n and text[merged[n - 1][1] : start].strip():
            pieces.append(_GAP)
        pieces.append(text[start:end])
    return "".join(pieces)
