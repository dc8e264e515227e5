"""Does a passage support a claim? Shared facts (numbers, dates) must appear, and the wording must overlap."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import cn2an

from index.chunker import sentence_spans
from index.normalize import normalize_line

# A number with the unit after it: "50%" and "50万元" are different facts.
_NUMBER = re.compile(
    r"(\d+(?:[.,]\d+)*)(%|[万亿千百]?)(平方公里|平方米|公里|小时|分钟|[元个家台件人次处所项批套吨辆宗场座名户条米岁天亩度斤克秒周倍]?)(?!\d)"
)
_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "千": 1000, "百": 100}
# Chinese numerals before a counter or unit ("三百多万起", "两个信号周期", "壹拾万元"); a lone 一 is mostly idiom ("一批").
_CHINESE_NUMERAL = re.compile(
    r"(?!一[^零〇一二两三四五六七八九十百千万亿])[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+"
    r"(?=[多余]?[个家台件人次处所项批套吨辆宗场座名户条元万亿日天年月周大类起倍])"
)
# Openers that point at the passages rather than state anything ("根据资料，").
_LEAD_IN = re.compile(r"(?:根据|依据|按照)(?:以上|上述|所给|提供的)?(?:资料|答复|材料)(?:\[\d+\])?(?:显示|所述)?[，,:：]\s*")
_DATE = re.compile(r"(?<!\d)(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?")
_JANUARY = re.compile(r"(?<![\d零〇一二两三四五六七八九十百千万亿])元月")  # not "200元月底前"
# A figure is misplaced when the sentences that hold it share less than this part of what the nearest one shares.
_NEAR_ENOUGH = 0.7
_YEAR = re.compile(r"(?:19|20)\d\d")
_FIGURE = re.compile(r"\d|类$")  # a missing fact that is a figure, date or grade rather than a name
_GRADE = re.compile(r"([ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|(?<![A-Za-z])[IVX]{1,4})类")  # water quality: "Ⅲ类" is not "Ⅳ类"
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "VI": "Ⅵ", "VII": "Ⅶ", "VIII": "Ⅷ", "IX": "Ⅸ", "X": "Ⅹ"}
_MARKER = re.compile(r"\[(\d{1,3})\]")
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]+|\d+")
# Shares of a claim's own characters and pairs that must occur in a passage, over the whole claim and in its least
# covered clause; set on the even lines of both labelled sets (see the README for the held-out figures).
MIN_OVERLAP = 0.65
MIN_CLAUSE_OVERLAP = 0.4
# Below those, a claim may still be a paraphrase (answer.paraphrase judges it) when it shares this much.
PARAPHRASE_OVERLAP = 0.5
PARAPHRASE_CLAUSE_OVERLAP = 0.3
# A claim with fewer own characters than this, and no figure of its own, only restates the question: no citation.
_MIN_OWN_UNITS = 4
# A clause needs this many characters of its own before its coverage is judged.
_MIN_CLAUSE_UNITS = 6
_ORGANISATION = re.compile(
    r"[\u4e00-\u9fff]{1,14}?(?:局|委员会|委(?![托员屈婉任派])|办公室|中心|医院|大学|研究院|支队|大队|法院|检察院|街道|银行|公司|协会"
    r"|交易所|(?<=[省市县区镇乡])政府)"
)
# Bodies that act (not places or institutions named in passing), and a reply's way of naming its own office.
_OFFICES = ("局", "委", "委员会", "办公室", "政府", "法院", "检察院", "支队", "大队")
_OWN_OFFICE = re.compile(r"[我本该][局委办]")
_LEVELS = ("国家", "省", "市", "县", "区", "镇", "乡")
# Full names and the short forms replies use for them: "区住房和城乡建设局" is "区住建局".
_ABBREVIATIONS = (
    ("住房和城乡建设", "住建"),
    ("住房和建设", "住建"),
    ("住房城乡建设", "住建"),
    ("发展和改革委员会", "发改委"),
    ("发展改革委员会", "发改委"),
    ("发展和改革", "发改"),
    ("人力资源和社会保障", "人社"),
    ("市场监督管理", "市场监管"),
    ("自然资源和规划", "自然资源"),
    ("人民政府", "政府"),
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
_PLANNED = re.compile(
    r"计划|预计|(?<!模)拟|(?<!已)(?<!经)将|争取|力争|正在|正与|准备|下一步|即将|尚未|暂未|(?<![接对期等招款])待|申请|今后|会要求"
)
# How far before a deed a marker may stand and still be its mood ("争取于今年动工"; not "将申请资料交到").
_PLAN_REACH = 5
_FUTURE = re.compile(r"将|下一|考虑|计划|拟|争取")
# "不能满足" in the passage, "满足" in a claim without any negation: the claim drops it.
_NEGATED = re.compile(r"(?:不|未|没有|并未|尚未|暂未|无法)(?:能|会|得|再|曾|是)?([\u4e00-\u9fff]{2})")
# Bounds, not negations: "不少于100场" is "至少100场", "不超过" is "至多", and "车辆不多" is "车辆较少".
_BOUNDS = {"不少于": "至少", "不低于": "至少", "不超过": "至多", "不高于": "至多", "不多": "较少"}
_BOUND = re.compile("|".join(_BOUNDS))
_CLAUSE_BREAK = re.compile(r"[，,；;]")  # the clauses a claim joins, each placed in the passage on its own
_COUNTERS = "个家台件人次处所项批套座名户条宗场辆"
_NOT_ORGANISATIONS = ("布局", "格局", "大局", "结局", "全局", "开局")


@dataclass(frozen=True)
class Support:
    """How a passage stands to a claim."""

    overlap: float  # share of the claim's own words (characters and pairs) found in the passage
    missing_facts: tuple[str, ...]  # figures, dates, names and terms of the claim the passage lacks or gives elsewhere
    weakest_clause: float = 1.0  # overlap of the claim's least covered clause: an added clause shows here
    negation_flip: bool = False  # the claim negates what the passage affirms, or the reverse
    overstated: bool = False  # the claim says done what the passage says is planned or under way

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

    @property
    def misstates(self) -> bool:
        """A figure, date or grade the passage does not give, a flipped negation or a plan said done: the checks that
        hold however the claim is worded (names, read by pattern, can catch a reworded phrase such as "施工公司")."""
        return self.negation_flip or self.overstated or any(_FIGURE.search(f) for f in self.missing_facts)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


@lru_cache(maxsize=4096)  # the check reads each passage's figures again for every claim
def numbers(text: str) -> frozenset[str]:
    """Numbers as values with their units: "3.6786亿元" and "36786万元" are one fact, "540名" and "540个" too."""
    return frozenset(_fact(m) for m in _NUMBER.finditer(_arabic(normalize_line(strip_markers(text)))))


def _fact(match: re.Match) -> str:
    digits, scale, unit = match.groups()
    digits = digits.replace(",", "")
    if digits.count(".") <= 1:  # "1.2.3" is a clause number, kept as written
        digits = format((Decimal(digits) * _MULTIPLIERS.get(scale, 1)).normalize(), "f")
    return digits + (scale if scale == "%" else "个" if unit and unit in _COUNTERS else unit)


def _arabic(text: str) -> str:
    """Chinese numerals of counts and amounts in digits, so that "三百多万起" and "300多万起" state one figure."""

    def digits(match: re.Match) -> str:
        try:
            return str(cn2an.cn2an(match.group(0), "smart"))
        except (ValueError, KeyError, IndexError):  # not a numeral cn2an reads ("万一", "一亿二"): leave it
            return match.group(0)

    return _CHINESE_NUMERAL.sub(digits, _JANUARY.sub("1月", text).replace("周岁", "岁"))


def _stated(fact: str, facts: frozenset[str]) -> bool:
    """The fact is among facts, or its value is, stated without a unit ("6000万元" against "6000万")."""
    return fact in facts or re.sub(r"[^\d.]", "", fact) in facts


def missing_facts(claim: str, passage: str, question: str = "") -> tuple[str, ...]:
    """Numbers, organisations and quoted terms of the claim that the passage does not state; names and terms the
    question gives are the asker's own framing ("城管局是和哪个部门…" of a reply that says "我局"), its figures are not."""
    stated = numbers(passage)
    missing = {n for n in numbers(claim) if not _stated(n, stated)}
    passage, claim = normalize_line(passage), normalize_line(strip_markers(claim))
    # A date is one fact: "2023年1月1日" is not stated by a passage that has 2023, 1 and 1 apart.
    missing.update(d for d in _DATE.findall(claim) if not re.search(rf"(?<!\d){re.escape(d)}", passage))
    missing.update(g + "类" for g in _grades(claim) - _grades(passage))
    passage += "\n" + normalize_line(question)
    missing.update(name for name in organisations(claim) if not _names_in(name, _abbreviated(passage)))
    missing.update(q for q in _QUOTED.findall(claim) if q not in passage)
    return tuple(sorted(missing))


def organisations(text: str) -> list[str]:
    """Names of offices and bodies, abbreviated the usual way ("区住建局")."""
    found = []
    for match in _ORGANISATION.finditer(_abbreviated(text)):
        # The match starts wherever the clause does ("补贴由区住建局"): the name starts after the last function word.
        name = re.split(r"[的是在和与由对向为了把从经及]", match.group(0))[-1]
        if len(name) >= 3 and not name.endswith(_NOT_ORGANISATIONS):  # "业委" of "业委会" is no name
            found.append(name)
    return found


def _names_in(name: str, text: str) -> bool:
    """The name's longest ending (three or more characters) found in text is there under the same level: "A市国土资源局"
    is not named by "A7县国土资源局", while "南湖区住建局" is by "区住建局"."""
    for i in range(len(name) - 2):
        ending = name[i:]
        if ending not in text:
            continue
        level = _level_before(name, i)
        return level is None or any(_level_before(text, m.start()) in (level, None) for m in re.finditer(re.escape(ending), text))
    return False


def _level_before(text: str, at: int) -> str | None:
    return next((w for w in _LEVELS if text[:at].endswith(w)), None)


def _grades(text: str) -> set[str]:
    return {_ROMAN.get(g, g) for g in _GRADE.findall(text)}


def _abbreviated(text: str) -> str:
    for full, short in _ABBREVIATIONS:
        text = text.replace(full, short)
    return text


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[，,、：:（）()]", strip_markers(text)) if c.strip()]


@lru_cache(maxsize=4096)  # the check reads each passage's sentences again for every claim
def units(text: str) -> frozenset[str]:
    """Characters (words for Latin and digits) and adjacent pairs of them."""
    singles = _CJK_OR_WORD.findall(normalize_line(strip_markers(text)))
    return frozenset(singles) | {a + b for a, b in itertools.pairwise(singles)}


@lru_cache(maxsize=4096)  # a verifier asks of a pair once to route it and again to label it
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
    best_sentence = nearest_sentence(passage, units(claim))
    plain, best_sentence = _as_bounds(strip_markers(claim)), _as_bounds(best_sentence)
    # A negation counts when the claim adds one, or drops the one the passage puts on a word the claim repeats:
    # passages are full of unrelated 未/无 ("未出现黑臭现象").
    claim_negates = bool(_NEGATION.search(plain))
    negation_flip = (
        # Each negated clause is held to its own nearest sentence: a claim may join two sentences of the passage.
        any(
            _NEGATION.search(part) and not _NEGATION.search(_as_bounds(nearest_sentence(passage, units(part))))
            for part in _CLAUSE_BREAK.split(plain)
        )
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
    # The sentence that says what the claim says names other offices than the claim does: the deed was someone else's.
    claim_names = [n for n in organisations(plain) if n.endswith(_OFFICES) and not _names_in(n, _abbreviated(question))]
    sentence_names = [n for n in organisations(best_sentence) if n.endswith(_OFFICES)]
    other_actor = (
        bool(claim_names and sentence_names)
        and not _OWN_OFFICE.search(best_sentence)  # "我局" may be the claim's office: the passage does not say
        and not any(_names_in(name, _abbreviated(best_sentence)) for name in claim_names)
    )
    wrong_actor = claim_names if other_actor else []
    return Support(
        overlap,
        tuple(sorted(set(missing_facts(claim, passage, question)) | set(wrong_actor) | misplaced_figures(plain, passage))),
        min(clause_cover, default=overlap),
        negation_flip,
        overstated=claims_done_when_planned(plain, _as_bounds(passage)),
    )


def nearest_sentence(passage: str, wanted: frozenset[str]) -> str:
    """The passage's sentence that shares most units with wanted ("" for a passage with no sentence)."""
    return max((passage[s:e] for s, e in sentence_spans(passage)), key=lambda x: len(units(x) & wanted), default="")


def misplaced_figures(claim: str, passage: str) -> set[str]:
    """Figures of the claim that the passage gives for something else ("运营补贴每餐3元", "就餐补贴每餐5元"): the
    sentence nearest a clause of the claim lacks the figure, and the sentences that have it are much further off."""
    sentences = [(units(passage[s:e]), numbers(passage[s:e])) for s, e in sentence_spans(passage)]
    misplaced = set()
    for part in _CLAUSE_BREAK.split(claim):
        # A clause as short as "每餐5元" is placed by the whole claim around it.
        part_units = units(part) if len(units(re.sub(r"\d", "", part))) >= _MIN_CLAUSE_UNITS else units(claim)
        for figure in numbers(part):
            nearest_units, there = max(sentences, key=lambda x: len(x[0] & part_units), default=(set(), set()))
            holding = [len(u & part_units) for u, facts in sentences if _stated(figure, facts)]
            years_there = any(_YEAR.fullmatch(n) for n in there)
            if (
                holding
                and not _stated(figure, there)
                and max(holding) < _NEAR_ENOUGH * len(nearest_units & part_units)
                # The nearest sentence gives another figure of the kind: another amount, count or year.
                and (any(_unit(n) == _unit(figure) for n in there) if _unit(figure) else _YEAR.fullmatch(figure) and years_there)
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


def claims_done_when_planned(claim: str, passage: str) -> bool:
    """A clause of the claim says done ("已建成") what the passage states only as planned or under way: in the
    clause that names the same deed ("争取于今年动工"), or, up to that deed, in the passage clause nearest the claim's,
    whose mood the last marker before it sets ("下一步，街道将……，协调开通2条公交线路")."""
    for part in _CLAUSE_BREAK.split(claim):
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


def supporting_span(claim: str, passage: str) -> tuple[int, int]:
    """Offsets in passage of the sentence(s) that best support claim: the best sentence, widened to hold its facts."""
    spans = sentence_spans(passage)
    if not spans:
        return 0, len(passage)
    scored = [(support(claim, passage[s:e]).overlap, s, e) for s, e in spans]
    _, start, end = max(scored)
    wanted = numbers(claim)
    for match in _NUMBER.finditer(passage):  # the passage is normalised text already, so offsets hold
        if _fact(match) in wanted:
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


def restates(sentence: str, question: str) -> bool:
    """The sentence adds fewer own characters than a claim needs, and no figure: it only restates the question."""
    return len(units(sentence) - units(question)) < _MIN_OWN_UNITS and not numbers(sentence) - numbers(question)


def own_clauses(sentence: str, question: str = "") -> list[str]:
    """The sentence's clauses that say something of their own, each of which some passage must support when no one
    passage supports the whole ("平台接入386个泊位，老旧社区划了1100个泊位" from two replies)."""
    return [c for c in _CLAUSE_BREAK.split(strip_markers(sentence).rstrip("。！？!?")) if not restates(c, question)]


def markers(sentence: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(sentence)]


def verdict(claim: str, passage: str, question: str = "", paraphrase: Callable[[str, str], bool] | None = None) -> str:
    """Three-way label: "supported" (also when only the wording differs and paraphrase says it is the same);
    "contradicted" when the claim speaks of the passage's subject with another figure, name or polarity; else
    "unsupported"."""
    result = support(claim, passage, question)
    if result.supported or (result.reworded and paraphrase is not None and paraphrase(claim, passage)):
        return "supported"
    on_topic = result.overlap >= MIN_OVERLAP
    passage_numbers = numbers(passage)
    other_figure = any(
        not _stated(n, passage_numbers) and _unit(n) and any(_unit(p) == _unit(n) for p in passage_numbers)
        for n in numbers(claim)
    )
    if result.negation_flip or (on_topic and (other_figure or result.missing_facts)):
        return "contradicted"
    return "unsupported"


def _unit(number: str) -> str:
    return re.sub(r"[\d.,]", "", number)
