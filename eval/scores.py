"""Scores of one answer: faithfulness, contradictions, citation precision and recall, correctness, refusal, retrieval."""

from __future__ import annotations

import re
from statistics import mean, median

from answer.claims import claims, own_clauses
from eval.questions import Question
from eval.verifier import Verdict, Verifier
from text.markers import markers, strip_markers
from text.normalize import normalize_line
from text.numbers import chinese_units

RETRIEVAL_K = (1, 3, 5)


def comparable(text: str) -> str:
    """Text as compared with gold facts: normalised width and spacing, no thousands separators, no markers, units of
    measure in Chinese ("1.3km" is "1.3公里")."""
    return chinese_units(re.sub(r"\s+|(?<=\d),(?=\d)", "", normalize_line(strip_markers(text))))


def claim_label(claim: str, passages: list[str], verifier: Verifier, question: str = "") -> str:
    return claim_verdict(claim, passages, verifier, question).label


def claim_verdict(claim: str, passages: list[str], verifier: Verifier, question: str = "") -> Verdict:
    """Supported if a passage supports the claim, or its clauses that say something of their own rest on two or more;
    else contradicted if any passage contradicts it; else unsupported. Words repeated from the question are free. The
    reason is that of the first passage giving the label."""
    verdicts = []
    for passage in passages:  # stops at the first support: a judge's label costs seconds
        verdicts.append(verifier.judge(claim, passage, question))
        if verdicts[-1].label == "supported":
            return verdicts[-1]
    resting = [
        next((i for i, p in enumerate(passages) if verifier.label(c, p, question) == "supported"), None)
        for c in own_clauses(claim, question)
    ]
    if None not in resting and len(set(resting)) > 1:  # as the engine cites it: each clause on a passage of its own
        return Verdict("supported")
    label = "contradicted" if any(v.label == "contradicted" for v in verdicts) else "unsupported"
    return next((v for v in verdicts if v.label == label), Verdict(label, "没有引用的资料"))


def evidence_rank(evidence: str, passages: list[str]) -> int | None:
    """1-based rank of the first passage holding the evidence span (or its longest clause), None if none does."""
    if not evidence:
        return None
    wanted = comparable(evidence)
    pieces = sorted((comparable(p) for p in re.split(r"[，。；：、]", evidence)), key=len, reverse=True)
    for rank, passage in enumerate(passages, 1):
        text = comparable(passage)
        if wanted in text or (pieces and len(pieces[0]) >= 8 and pieces[0] in text):
            return rank
    return None


def score(question: Question, answer: dict, verifier: Verifier) -> dict:
    """Every score of one answer; a score that does not apply is None."""
    passages = [p["text"] for p in answer.get("passages", [])]
    cited = {c["n"]: c.get("passage") or c["text"] for c in answer.get("citations", [])}
    # The summary as the model wrote it: what is shown, and what the check turned down and folded away with why.
    written = [answer["answer"], *(d["text"] for d in answer.get("dropped", []))]
    sentences = [] if answer["refused"] else [c for text in written for c in claims(text)]
    if answer.get("precedents"):  # a list of replies: each line is right when it names the reply it cites
        titles = {c["n"]: c["title"] for c in answer.get("citations", [])}
        labelled = [(s, "supported" if any(titles.get(n, "\0") in s for n in markers(s)) else "unsupported") for s in sentences]
        reasons = ["没有写出所引答复的标题" for _, label in labelled if label != "supported"]
        precise = [s for s, label in labelled if label == "supported"]
    else:
        judged = [(s, claim_verdict(strip_markers(s), passages, verifier, question.question)) for s in sentences]
        labelled = [(s, v.label) for s, v in judged]
        reasons = [v.reason for _, v in judged if v.label != "supported"]
        precise = [
            s
            for s in sentences
            if markers(s)
            and claim_label(strip_markers(s), [cited[n] for n in markers(s) if n in cited], verifier, question.question)
            == "supported"
        ]
    supported = [s for s, label in labelled if label == "supported"]
    # A contradicted sentence the engine marked, or left out with why, does not mislead the reader.
    shown = answer.get("sentences", []) + answer.get("dropped", [])
    unmarked = [label for s, label in labelled if shown_status(s, shown) == "supported"]
    with_marker = [s for s in sentences if markers(s)]
    rank = evidence_rank(question.evidence, passages) if question.answerable else None
    quoted = "".join(q["text"] for q in answer.get("quotes", []))
    summary = "" if answer["refused"] else answer["answer"]
    row = {
        "faithfulness": len(supported) / len(labelled) if labelled else None,
        "contradiction_rate": sum(label == "contradicted" for _, label in labelled) / len(labelled) if labelled else None,
        "contradiction_unmarked": unmarked.count("contradicted") / len(labelled) if labelled else None,
        "citation_precision": len(precise) / len(with_marker) if with_marker else None,
        "citation_recall": sum(1 for s in supported if markers(s)) / len(supported) if supported else None,
        # What the user sees is the reply's own sentences (答复原文) and the model's summary on top; each is scored apart too.
        "correctness": held(question, quoted + summary),
        "correctness_quotes": held(question, quoted),
        "correctness_summary": held(question, summary),
        "answer_chars": len(strip_markers(quoted + summary)) if not answer["refused"] else None,
        "refusal_correct": float(answer["refused"] != question.answerable),
        "mrr": (1 / rank if rank else 0.0) if question.answerable and question.evidence else None,
        "first_token_s": answer["timings"].get("first_token_s"),
        "quotes_s": answer["timings"].get("quotes_shown_s"),
        "total_s": answer["timings"].get("total_s"),
        "unsupported_claims": [strip_markers(s) for s, label in labelled if label != "supported"],
        "unsupported_reasons": reasons,
        "claim_labels": [label for _, label in labelled],
    }
    for k in RETRIEVAL_K:
        row[f"recall@{k}"] = float(bool(rank and rank <= k)) if question.answerable and question.evidence else None
    return row


def held(question: Question, text: str) -> float | None:
    """The share of the question's gold facts the text states; None for a question without them."""
    if not (question.answerable and question.gold_facts):
        return None
    found = comparable(text)
    return mean(comparable(f) in found for f in question.gold_facts)


def shown_status(claim: str, sentences: list[dict]) -> str:
    """The status the engine showed a claim of the answer with: that of its sentence, the one containing it or contained
    in it (a line without a full stop is split otherwise); "supported" where none is kept (answers of older runs), so
    that what counts on it is an upper bound."""
    plain = strip_markers(claim).strip()
    for sentence in sentences:
        shown = strip_markers(sentence["text"]).strip()
        if shown and (plain in shown or shown in plain):
            return sentence["status"]
    return "supported"


SCORE_NAMES = (
    "faithfulness",
    "contradiction_rate",
    "contradiction_unmarked",
    "citation_precision",
    "citation_recall",
    "correctness",
    "correctness_quotes",
    "correctness_summary",
    "answer_chars",
    "refusal_correct",
    *(f"recall@{k}" for k in RETRIEVAL_K),
    "mrr",
    "first_token_s",
    "total_s",
)


# Medians given beside the means: time to the first token (of answers the model wrote), to 答复原文, and the length.
MEDIANS = ("first_token_p50_s", "quotes_p50_s", "answer_chars_p50")


def summarise(rows: list[dict]) -> dict[str, float | None]:
    """Mean of each score over the answers it applies to; for the first token also the median over the answers the
    model wrote (a refusal before generation has none)."""
    out: dict[str, float | None] = {}
    for name in SCORE_NAMES:
        values = [r[name] for r in rows if r.get(name) is not None]
        out[name] = round(mean(values), 3) if values else None
    generated = [r["first_token_s"] for r in rows if r.get("first_token_s")]
    out["first_token_p50_s"] = round(median(generated), 3) if generated else None
    quoted = [r["quotes_s"] for r in rows if r.get("quotes_s") is not None]
    out["quotes_p50_s"] = round(median(quoted), 3) if quoted else None
    lengths = [r["answer_chars"] for r in rows if r.get("answer_chars") is not None]
    out["answer_chars_p50"] = median(lengths) if lengths else None
    out["questions"] = len(rows)
    return out
