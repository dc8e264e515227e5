"""Does a passage support a claim? Shared facts (numbers, dates) must appear, and the wording must overlap."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from index.chunker import sentence_spans
from index.normalize import normalize_line

# A number with the unit after it: "50%" and "50万元" are different facts.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:%|[万亿千百]?[元个家台件人次处所项批套吨辆宗场座名户条]|)(?!\d)")
# Openers that point at the passages rather than state anything ("根据资料，").
_LEAD_IN = re.compile(r"(?:根据|依据|按照)(?:以上|上述|所给|提供的)?(?:资料|答复|材料)(?:\[\d+\])?(?:显示|所述)?[，,:：]\s*")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+")
# Shares of a claim's own characters and pairs that must occur in a passage, over the whole claim and in its least
# covered clause; tuned on the even lines of eval/verifier_pairs.jsonl (balanced accuracy 0.86; 0.82 on the odd lines).
MIN_OVERLAP = 0.65
MIN_CLAUSE_OVERLAP = 0.4
# A clause needs this many characters of its own before its coverage is judged.
_MIN_CLAUSE_UNITS = 6
_ORGANISATION = re.compile(
    r"[\u4e00-\u9fff]{1,14}?(?:局|委员会|办公室|中心|医院|大学|研究院|支队|大队|法院|检察院|街道|银行|公司|协会|交易所)"
)
_QUOTED = re.compile(r"[“「『《]([^”」』》]{2,30})[”」』》]")
_NEGATION = re.compile(r"不|未|没有|无|非|尚未|暂无|停止|取消")
_OPPOSITES = (
    ("上升", "下降"),
    ("增加", "减少"),
    ("高于", "低于"),
    ("提高", "降低"),
    ("增长", "下降"),
    ("扩大", "缩小"),
    ("全部", "部分"),
    ("至少", "至多"),
)
# "已建成" against "预计将于2019年建成": a claim of something done that the passage only plans.
_DONE = re.compile(r"已经?(?:于[\d年月日份底初中旬上下]{1,12})?([\u4e00-\u9fff]{2})")
_PLANNED = re.compile(r"计划|预计|(?<!模)拟|将于|将要|争取|力争|正在|准备|下一步|即将|尚未|暂未")
_FUTURE = re.compile(r"将|下一|考虑|计划|拟|争取")
# "不能满足" in the passage, "满足" in a claim without any negation: the claim drops it.
_NEGATED = re.compile(r"(?:不|未|没有|并未|尚未|暂未|无法)(?:能|会|得|再|曾|是)?([\u4e00-\u9fff]{2})")
# Bounds, not negations: "不少于100场" is "至少100场", and "不超过" is "至多".
_BOUNDS = {"不少于": "至少", "不低于": "至少", "不超过": "至多", "不高于": "至多"}
_BOUND = re.compile("|".join(_BOUNDS))
_COUNTERS = re.compile(r"(?<=\d)[个家台件人次处所项批套座名户条宗场辆]$")
_NOT_ORGANISATIONS = ("布局", "格局", "大局", "结局", "全局", "开局")


@dataclass(frozen=True)
class Support:
    """How a passage stands to a claim."""

    overlap: float  # share of the claim's own words (characters and pairs) found in the passage
    missing_facts: tuple[str, ...]  # numbers, names and quoted terms of the claim the passage lacks
    weakest_clause: float = 1.0  # overlap of the claim's least covered clause: an added clause shows here
    negation_flip: bool = False  # the claim negates what the passage affirms, or the reverse
    overstated: bool = False  # the claim says done what the passage says is planned or under way

    @property
    def supported(self) -> bool:
        return (
            not self.missing_facts
            and not self.negation_flip
            and not self.overstated
            and self.overlap >= MIN_OVERLAP
            and self.weakest_clause >= MIN_CLAUSE_OVERLAP
        )


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def numbers(text: str) -> set[str]:
    """Numbers with their units, commas removed; counters of things ("540名", "540个") are one unit."""
    found = (m.group(0).replace(",", "") for m in _NUMBER.finditer(normalize_line(strip_markers(text))))
    return {_COUNTERS.sub("个", n) for n in found}


def missing_facts(claim: str, passage: str) -> tuple[str, ...]:
    """Numbers, organisations and quoted terms of the claim that the passage does not state."""
    passage = normalize_line(passage)
    missing = {n for n in numbers(claim) if n not in numbers(passage) and n.rstrip("%") not in numbers(passage)}
    claim = normalize_line(strip_markers(claim))
    for match in _ORGANISATION.finditer(claim):
        name = match.group(0)
        if name.endswith(_NOT_ORGANISATIONS):
            continue
        # "由区住房和建设局" matches from the preposition on: any ending of three or more characters may be the name.
        if not any(name[i:] in passage for i in range(len(name) - 2)):
            missing.add(name)
    missing.update(q for q in _QUOTED.findall(claim) if q not in passage)
    return tuple(sorted(missing))


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[，,、：:（）()]", strip_markers(text)) if c.strip()]


def units(text: str) -> set[str]:
    """Characters (words for Latin and digits) and adjacent pairs of them."""
    singles = _CJK_OR_WORD.findall(normalize_line(strip_markers(text)))
    return set(singles) | {a + b for a, b in itertools.pairwise(singles)}


def support(claim: str, passage: str, question: str = "") -> Support:
    """How well passage supports claim; words the claim repeats from the question are free."""
    free = units(question)
    passage_units = units(passage)

    def coverage(text: str) -> float | None:
        own = units(text) - free
        return len(own & passage_units) / len(own) if own else None

    overlap = coverage(claim) or 0.0
    clause_cover = [
        c for c in (coverage(x) for x in clauses(claim) if len(units(x) - free) >= _MIN_CLAUSE_UNITS) if c is not None
    ]
    best_sentence = max(
        (passage[s:e] for s, e in sentence_spans(passage)), key=lambda x: len(units(x) & units(claim)), default=""
    )
    plain = _BOUND.sub(lambda m: _BOUNDS[m.group(0)], strip_markers(claim))
    best_sentence = _BOUND.sub(lambda m: _BOUNDS[m.group(0)], best_sentence)
    # A negation counts when the claim adds one, or drops the one the passage puts on a word the claim repeats:
    # passages are full of unrelated 未/无 ("未出现黑臭现象").
    claim_negates = bool(_NEGATION.search(plain))
    negation_flip = (
        (claim_negates and not _NEGATION.search(best_sentence))
        # A claim about what is still to come ("将在下一批次考虑纳入") has not dropped the passage's "暂未纳入".
        or (
            not claim_negates
            and not _FUTURE.search(plain)
            and any(m.group(1) in plain for m in _dropped_negations(best_sentence))
        )
        or any(
            (a in plain and b in best_sentence and a not in best_sentence)
            or (b in plain and a in best_sentence and b not in best_sentence)
            for a, b in _OPPOSITES
        )
    )
    return Support(
        overlap,
        missing_facts(claim, passage),
        min(clause_cover, default=overlap),
        negation_flip,
        overstated=claims_done_when_planned(plain, best_sentence),
    )


def _dropped_negations(sentence: str) -> list[re.Match]:
    """Negated words of the sentence that it never states plainly ("未成功的" beside "成功的" is a contrast, not a denial)."""
    negated = list(_NEGATED.finditer(sentence))
    return [m for m in negated if sentence.count(m.group(1)) == sum(1 for n in negated if n.group(1) == m.group(1))]


def claims_done_when_planned(claim: str, sentence: str) -> bool:
    """The claim says done ("已建成") what the sentence names, in the same clause, only as planned or under way
    ("预计将于2019年建成")."""
    done = [m.group(1) for m in _DONE.finditer(claim)]
    sentence_clauses = re.split(r"[，,；;。]", sentence)
    return any(
        word in clause and _PLANNED.search(clause.split(word)[0]) and "已" not in clause.split(word)[0]
        for word in done
        for clause in sentence_clauses
    )


def supporting_span(claim: str, passage: str) -> tuple[int, int]:
    """Offsets in passage of the sentence(s) that best support claim: the best sentence, widened to hold its facts."""
    spans = sentence_spans(passage)
    if not spans:
        return 0, len(passage)
    scored = [(support(claim, passage[s:e]).overlap, s, e) for s, e in spans]
    _, start, end = max(scored)
    wanted = numbers(claim)
    for match in _NUMBER.finditer(passage):  # the passage is normalised text already, so offsets hold
        if _COUNTERS.sub("个", match.group(0).replace(",", "")) in wanted:
            for s, e in spans:
                if s <= match.start() < e:
                    start, end = min(start, s), max(end, e)
    return start, end


def claims(answer: str) -> list[str]:
    """The answer's sentences, split deterministically on 。！？； and line breaks, markers kept."""
    text = _LEAD_IN.sub("", re.sub(r"^\s*(?:[-*•]|\d+[.、)])\s*", "", answer, flags=re.M))
    parts = re.findall(r"[^。！？；!?\n]+(?:[。！？；!?]+[”’」』）)]*(?:\s*\[\d{1,3}\])*)?", text)
    # An item number ("3. ") is layout, not a stated figure.
    parts = [re.sub(r"^\s*(?:\d{1,2}[.、)](?!\d)|[（(]\d{1,2}[）)])\s*", "", p) for p in parts]
    return [p.strip() for p in parts if strip_markers(p).strip(" ，,。")]


def markers(sentence: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(sentence)]


def verdict(claim: str, passage: str, question: str = "") -> str:
    """Three-way label: "supported"; "contradicted" when the claim speaks of the passage's subject with another figure,
    name or polarity; else "unsupported"."""
    result = support(claim, passage, question)
    if result.supported:
        return "supported"
    on_topic = result.overlap >= MIN_OVERLAP
    passage_numbers = numbers(passage)
    other_figure = any(
        n not in passage_numbers and _unit(n) and any(_unit(p) == _unit(n) for p in passage_numbers) for n in numbers(claim)
    )
    if result.negation_flip or (on_topic and (other_figure or result.missing_facts)):
        return "contradicted"
    return "unsupported"


def _unit(number: str) -> str:
    return re.sub(r"[\d.,]", "", number)
