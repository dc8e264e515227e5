"""Does a passage support a claim? Its facts (figures, dates, offices) must appear there, placed as the claim places
them, with the same polarity and mood, and its wording must overlap."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from text.dates import STATED_DATE, YEAR
from text.markers import strip_markers
from text.normalize import normalize_line
from text.numbers import NUMBER, arabic, fact, numbers, stated, unit
from text.offices import ACTING, OWN_OFFICE, abbreviated, names_in, organisations
from text.plans import PLAN
from text.sentences import CLAUSE_BREAK, PHRASE_BREAK, sentence_spans
from text.units import own_units, units

# A figure is misplaced when the sentences that hold it share less than this part of what the nearest one shares.
_NEAR_ENOUGH = 0.7
_GRADE = re.compile(r"([ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|(?<![A-Za-z])[IVX]{1,4})类")  # water quality: "Ⅲ类" is not "Ⅳ类"
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ", "VII": "Ⅶ", "VIII": "Ⅷ", "IX": "Ⅸ", "X": "Ⅹ"}
# Shares of a claim's own characters and pairs that must occur in a passage, over the whole claim and in its least
# covered clause; set on the even lines of both labelled sets (see the README for the held-out figures).
MIN_OVERLAP = 0.65
MIN_CLAUSE_OVERLAP = 0.4
# Below those, a claim may still be a paraphrase (answer.paraphrase judges it) when it shares this much.
PARAPHRASE_OVERLAP = 0.5
PARAPHRASE_CLAUSE_OVERLAP = 0.3
# A clause needs this many characters of its own before its coverage is judged.
_MIN_CLAUSE_UNITS = 6
_QUOTED = re.compile(r"[“「『《]([^”」』》]{2,30})[”」』》]")
# A reply quoting a claim to deny it: "经核实该说法不实", "系谣言".
_DENIAL = re.compile(r"不实|不属实|失实|谣言|虚假|并非事实|没有依据")
_QUOTATION = re.compile(r"“[^”]*”")
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
_PLANNED = re.compile(
    r"计划|预计|(?<!模)拟|(?<!已)(?<!经)将|争取|力争|正在|正与|准备|下一步|即将|尚未|暂未|(?<![接对期等招款])待|申请|今后|会要求"
)
# How far before a deed a marker may stand and still be its mood ("争取于今年动工"; not "将申请资料交到").
_PLAN_REACH = 5
# "不能满足" in the passage, "满足" in a claim without any negation: the claim drops it.
_NEGATED = re.compile(r"(?:不|未|没有|并未|尚未|暂未|无法)(?:能|会|得|再|曾|是)?([\u4e00-\u9fff]{2})")
# A value a passage says was changed, and the words by which a claim speaks of the change itself.
_FORMER = re.compile(
    r"(?:由|从)(?:原来的|原来|原)?([^，。；由从]{1,14}?)(?:提高|提升|增加|调整|上调|下调|降低|减少|扩大|缩小|放宽)(?:至|到|为)"
)
_OF_A_CHANGE = re.compile(r"由|从|原|此前|以前|过去|提高|提升|调整|上调|下调|降低|增加")
# Bounds, not negations: "不少于100场" is "至少100场", "不超过" is "至多", "车辆不多" is "车辆较少", and "包括但不限于"
# lists what there is.
_BOUNDS = {"不少于": "至少", "不低于": "至少", "不超过": "至多", "不高于": "至多", "不多": "较少", "不限于": "有"}
_BOUND = re.compile("|".join(_BOUNDS))
# A sentence stating a measure as in force ("仍在有效期内", "继续执行"): a claim that it was cancelled is denied by it.
_IN_FORCE = re.compile(r"仍|继续|现行|有效期内")


@dataclass(frozen=True)
class Support:
    """How a passage stands to a claim."""

    overlap: float  # share of the claim's own words (characters and pairs) found in the passage
    missing_facts: tuple[str, ...]  # figures, dates, names and terms of the claim the passage lacks or gives elsewhere
    weakest_clause: float = 1.0  # overlap of the claim's least covered clause: an added clause shows here
    negation_flip: bool = False  # the claim negates what the passage affirms, or the reverse
    overstated: bool = False  # the claim says done what the passage says is planned or under way
    weakest_text: str = ""  # the claim's least covered clause, to name in a reason
    wrong_actor: tuple[str, ...] = ()  # offices of the claim whose deed the passage gives to another
    passage_actors: tuple[str, ...] = ()  # the offices the passage's matching sentence gives that deed to

    @property
    def supported(self) -> bool:
        return self.facts_agree and self.overlap >= MIN_OVERLAP and self.weakest_clause >= MIN_CLAUSE_OVERLAP

    @property
    def reworded(self) -> bool:
        """Short of support on wording alone: facts, polarity and mood agree, and half the wording is shared."""
        return (
            not self.supported
            and self.facts_agree
            and self.overlap >= PARAPHRASE_OVERLAP
            and self.weakest_clause >= PARAPHRASE_CLAUSE_OVERLAP
        )

    @property
    def facts_agree(self) -> bool:
        return not (self.missing_facts or self.negation_flip or self.overstated)


def missing_facts(claim: str, passage: str, question: str = "") -> tuple[str, ...]:
    """Numbers, organisations and quoted terms of the claim that the passage does not state; names and terms the
    question gives are the asker's own framing ("城管局是和哪个部门…" of a reply that says "我局"), its figures are not."""
    given = numbers(passage)
    missing = {n for n in numbers(claim) if not stated(n, given)}
    passage, claim = normalize_line(passage), normalize_line(strip_markers(claim))
    # A date is one fact: "2023年1月1日" is not stated by a passage that has 2023, 1 and 1 apart.
    missing.update(d for d in STATED_DATE.findall(claim) if not re.search(rf"(?<!\d){re.escape(d)}", passage))
    missing.update(g + "类" for g in _grades(claim) - _grades(passage))
    passage += "\n" + normalize_line(question)
    missing.update(name for name in organisations(claim) if not names_in(name, abbreviated(passage)))
    missing.update(q for q in _QUOTED.findall(claim) if q not in passage)
    return tuple(sorted(missing))


def _grades(text: str) -> set[str]:
    return {_ROMAN.get(g, g) for g in _GRADE.findall(text)}


def _phrases(text: str) -> list[str]:
    return [c for c in PHRASE_BREAK.split(strip_markers(text)) if c.strip()]


@lru_cache(maxsize=4096)  # a verifier asks of a pair once to route it and again to label it
def support(claim: str, passage: str, question: str = "") -> Support:
    """How well passage supports claim; words the claim repeats from the question are free."""
    passage = without_denied(passage)
    free = units(question)
    passage_units = units(passage)

    def coverage(text: str) -> float | None:
        own = own_units(text, question)
        return len(own & passage_units) / len(own) if own else None

    overlap = coverage(claim) or 0.0
    clause_cover = [
        (c, x)
        for c, x in ((coverage(x), x) for x in _phrases(claim) if len(units(x) - free) >= _MIN_CLAUSE_UNITS)
        if c is not None
    ]
    weakest, weakest_text = min(clause_cover, default=(overlap, ""))
    best_sentence = nearest_sentence(passage, units(claim))
    plain, best_sentence = _as_bounds(strip_markers(claim)), _as_bounds(best_sentence)
    # A negation counts when the claim adds one, or drops the one the passage puts on a word the claim repeats:
    # passages are full of unrelated 未/无 ("未出现黑臭现象").
    claim_negates = bool(_NEGATION.search(plain))
    negation_flip = (
        # Each negated clause is held to its own nearest sentence: a claim may join two sentences of the passage.
        any(
            _NEGATION.search(part) and not _NEGATION.search(_as_bounds(nearest_sentence(passage, units(part))))
            for part in CLAUSE_BREAK.split(plain)
        )
        # A claim about what is still to come ("将在下一批次考虑纳入") has not dropped the passage's "暂未纳入".
        or (not claim_negates and not PLAN.search(plain) and any(m.group(1) in plain for m in _dropped_negations(best_sentence)))
        or any(
            (a in plain and b in best_sentence and a not in best_sentence)
            or (b in plain and a in best_sentence and b not in best_sentence)
            for a, b in _OPPOSITES
        )
    )
    # The sentence that says what the claim says names other offices than the claim does: the deed was someone else's.
    claim_names = [n for n in organisations(plain) if n.endswith(ACTING) and not names_in(n, abbreviated(question))]
    sentence_names = [n for n in organisations(best_sentence) if n.endswith(ACTING)]
    other_actor = (
        bool(claim_names and sentence_names)
        and not OWN_OFFICE.search(best_sentence)  # "我局" may be the claim's office: the passage does not say
        and not any(names_in(name, abbreviated(best_sentence)) for name in claim_names)
    )
    wrong_actor = claim_names if other_actor else []
    return Support(
        overlap,
        tuple(
            sorted(
                set(missing_facts(claim, passage, question))
                | set(wrong_actor)
                | misplaced_figures(plain, passage)
                | former_figures(plain, passage)
            )
        ),
        weakest,
        negation_flip,
        overstated=claims_done_when_planned(plain, _as_bounds(passage)),
        weakest_text=weakest_text,
        wrong_actor=tuple(wrong_actor),
        passage_actors=tuple(sentence_names) if wrong_actor else (),
    )


def without_denied(passage: str) -> str:
    """The passage without what it quotes only to deny ("有群众来信称“……补贴已经取消”，经核实该说法不实"): a claim may
    not rest on words the reply says are false."""
    if not _DENIAL.search(passage):
        return passage
    kept = []
    for start, end in sentence_spans(passage):
        sentence = passage[start:end]
        kept.append(_QUOTATION.sub("“”", sentence) if _DENIAL.search(sentence) else sentence)
    return "".join(kept)


def nearest_sentence(passage: str, wanted: frozenset[str]) -> str:
    """The passage's sentence that shares most units with wanted ("" for a passage with no sentence)."""
    return max((passage[s:e] for s, e in sentence_spans(passage)), key=lambda x: len(units(x) & wanted), default="")


def quoted_names(text: str) -> set[str]:
    """The programmes, terms and documents a text names in quotes (“科汇通”, 《实施办法》)."""
    return set(_QUOTED.findall(text))


def figures_of_another(claim: str, passage: str, question: str, programmes: set[str]) -> set[str]:
    """Figures the claim gives for one of the programmes (“科汇通”) that every sentence of the passage stating them
    gives for another (“深港通”): the question or the claim names the one, the passage the other."""
    named = {t for t in programmes if t in claim or t in question}
    if not named:
        return set()
    sentences = [passage[s:e] for s, e in sentence_spans(passage)]
    misattributed = set()
    for figure in numbers(claim):
        holding = [x for x in sentences if stated(figure, numbers(x))]
        if holding and all(not any(t in x for t in named) and set(_QUOTED.findall(x)) - named for x in holding):
            misattributed.add(figure)
    return misattributed


def former_figures(claim: str, passage: str) -> set[str]:
    """Figures of the claim that the passage gives only as what was changed ("每台最高补助由20万元提高至25万元": 20万元
    was, 25万元 is), when the claim does not speak of the change itself."""
    if _OF_A_CHANGE.search(claim):
        return set()
    text = normalize_line(passage)
    former = [m.span(1) for m in _FORMER.finditer(text)]
    if not former:
        return set()
    current = {fact(m) for m in NUMBER.finditer(arabic(text)) if not any(s <= m.start() < e for s, e in former)}
    return {f for f in numbers(claim) if not stated(f, frozenset(current)) and stated(f, numbers(passage))}


def misplaced_figures(claim: str, passage: str) -> set[str]:
    """Figures of the claim that the passage gives for something else ("运营补贴每餐3元", "就餐补贴每餐5元"): the
    sentence nearest a clause of the claim lacks the figure, and the sentences that have it are much further off."""
    sentences = [(units(passage[s:e]), numbers(passage[s:e])) for s, e in sentence_spans(passage)]
    misplaced = set()
    for part in CLAUSE_BREAK.split(claim):
        # A clause as short as "每餐5元" is placed by the whole claim around it.
        part_units = units(part) if len(units(re.sub(r"\d", "", part))) >= _MIN_CLAUSE_UNITS else units(claim)
        for figure in numbers(part):
            nearest_units, there = max(sentences, key=lambda x: len(x[0] & part_units), default=(set(), set()))
            holding = [len(u & part_units) for u, facts in sentences if stated(figure, facts)]
            years_there = any(YEAR.fullmatch(n) for n in there)
            if (
                holding
                and not stated(figure, there)
                and max(holding) < _NEAR_ENOUGH * len(nearest_units & part_units)
                # The nearest sentence gives another figure of the kind: another amount, count or year.
                and (any(unit(n) == unit(figure) for n in there) if unit(figure) else YEAR.fullmatch(figure) and years_there)
            ):
                misplaced.add(figure)
    return misplaced


def _as_bounds(text: str) -> str:
    """ "不少于100场" as "至少100场": a bound, not a negation."""
    return _BOUND.sub(lambda m: _BOUNDS[m.group(0)], text)


def _dropped_negations(sentence: str) -> list[re.Match]:
    """Negated words of the sentence that it never states plainly ("未成功的" beside "成功的" is a contrast, not a denial)."""
    negated = list(_NEGATED.finditer(sentence))
    return [m for m in negated if sentence.count(m.group(1)) == sum(1 for n in negated if n.group(1) == m.group(1))]


def denies_in_force(claim: str, sentence: str, question: str = "") -> bool:
    """The claim negates or cancels ("所有补贴已经取消", "补贴不再发放") what the sentence affirms, and the sentence
    states it as in force: with an amount or a count ("每个交流慢充桩补贴500元"), or in so many words ("仍在有效期内")."""
    if not _NEGATION.search(_as_bounds(strip_markers(claim))) or not support(claim, sentence, question).negation_flip:
        return False
    return bool(_IN_FORCE.search(sentence)) or any(unit(n) for n in numbers(sentence))


def negations(text: str) -> tuple[set[str], set[str]]:
    """The words of text that negate or cancel ("不再", "取消"), and the words they negate ("发放" of "不再发放")."""
    plain = _as_bounds(strip_markers(text))
    return {m.group(0) for m in _NEGATION.finditer(plain)}, {m.group(1) for m in _NEGATED.finditer(plain)}


def claims_done_when_planned(claim: str, passage: str) -> bool:
    """A clause of the claim says done ("已建成") what the passage states only as planned or under way: in the
    clause that names the same deed ("争取于今年动工"), or, up to that deed, in the passage clause nearest the claim's,
    whose mood the last marker before it sets ("下一步，街道将……，协调开通2条公交线路")."""
    for part in CLAUSE_BREAK.split(claim):
        done = _DONE.search(part)
        if not done or _PLANNED.search(part[: done.start()]):
            continue
        deed, part_units = done.group(1), units(part)
        sentence = nearest_sentence(passage, part_units)
        if re.search(rf"已经?[^，,；;。]{{0,8}}{re.escape(deed)}", sentence):  # "将于3月开工，目前已开工": settled
            continue
        sentence_clauses = re.split(r"(?<=[，,；;：:])", sentence)
        before_deed = [c.split(deed)[0] for c in sentence_clauses if deed in c]
        if any(_PLANNED.search(b[-_PLAN_REACH:]) and "已" not in b for b in before_deed):
            return True
        nearest = max(range(len(sentence_clauses)), key=lambda i: len(units(sentence_clauses[i]) & part_units))
        scope = "".join(sentence_clauses[:nearest]) + sentence_clauses[nearest].split(deed)[0]
        marks = [(m.start(), True) for m in _PLANNED.finditer(scope)] + [(m.start(), False) for m in re.finditer("已", scope)]
        if marks and max(marks)[1]:
            return True
    return False


def verdict(
    claim: str,
    passage: str,
    question: str = "",
    paraphrase: Callable[[str, str], bool] | None = None,
    result: Support | None = None,
) -> str:
    """Three-way label: "supported" (also when only the wording differs and paraphrase says it is the same);
    "contradicted" when the claim speaks of the passage's subject with another figure, name or polarity; else
    "unsupported". result: support(claim, passage, question) when the caller has it already."""
    result = result or support(claim, passage, question)
    if result.supported or (result.reworded and paraphrase is not None and paraphrase(claim, passage)):
        return "supported"
    on_topic = result.overlap >= MIN_OVERLAP
    passage_numbers = numbers(passage)
    other_figure = any(
        not stated(n, passage_numbers) and unit(n) and any(unit(p) == unit(n) for p in passage_numbers) for n in numbers(claim)
    )
    if result.negation_flip or (on_topic and (other_figure or result.missing_facts)):
        return "contradicted"
    return "unsupported"
