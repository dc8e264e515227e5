"""A learned combination of the rules' signals, the few-shot judge's label probabilities and the embedding similarity:
a small scikit-learn model, chosen by cross-validation on the tuning lines, in place of hand-set rules for combining."""

from __future__ import annotations

import re
from pathlib import Path

import joblib
import numpy as np

from answer.paraphrase import ParaphraseCheck
from answer.support import support, verdict
from eval.verifier import LABELS, LLMJudge, Verdict, misstates, rules_reason
from settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "eval" / "verifier_model.joblib"
FEATURES = (
    "overlap",
    "weakest_clause",
    "missing_facts",
    "figure_missing",
    "name_missing",
    "negation_flip",
    "overstated",
    "reworded",
    "rules_supported",
    "rules_contradicted",
    "misstates",
    "similarity",
    "judge_supported",
    "judge_contradicted",
    "judge_unsupported",
    "claim_chars",
)
_FIGURE = re.compile(r"\d|类$")


def features(claim: str, passage: str, question: str, judge: LLMJudge, paraphrase: ParaphraseCheck) -> list[float]:
    """One pair's features, in the order of FEATURES."""
    result = support(claim, passage, question)
    rules = verdict(claim, passage, question, paraphrase)
    figures = sum(bool(_FIGURE.search(f)) for f in result.missing_facts)
    judged = judge.probabilities(claim, passage, question)
    return [
        result.overlap,
        result.weakest_clause,
        len(result.missing_facts),
        float(figures > 0),
        float(len(result.missing_facts) > figures),
        float(result.negation_flip),
        float(result.overstated),
        float(result.reworded),
        float(rules == "supported"),
        float(rules == "contradicted"),
        float(misstates(result)),
        paraphrase.similarity(claim, passage),
        judged["supported"],
        judged["contradicted"],
        judged["unsupported"],
        float(np.log1p(len(claim))),
    ]


def candidates() -> dict[str, object]:
    """The models tried: logistic regressions of several strengths and small gradient-boosted trees."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    models: dict[str, object] = {
        f"logistic C={c}": make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000))
        for c in (0.1, 1.0, 10.0)
    }
    for depth in (2, 3):
        models[f"boosted trees depth {depth}"] = GradientBoostingClassifier(
            n_estimators=150, max_depth=depth, learning_rate=0.05, subsample=0.8, random_state=0
        )
    return models


def train(x: np.ndarray, supported: np.ndarray, path: Path = MODEL, folds: int = 5) -> dict[str, float]:
    """Each candidate's cross-validated balanced accuracy (supported or not); the best is fitted on all of x and saved
    to path. Gradient boosting has no class weights, so its samples are weighted to balance the classes."""
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold

    weights = np.where(supported, 0.5 / max(1, supported.sum()), 0.5 / max(1, (~supported).sum())) * len(supported)
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(x, supported))
    scores = {}
    for name, model in candidates().items():
        found = []
        for fit_rows, test_rows in splits:
            fitted = clone(model)
            _fit(fitted, x[fit_rows], supported[fit_rows], weights[fit_rows])
            found.append(balanced_accuracy_score(supported[test_rows], fitted.predict(x[test_rows])))
        scores[name] = float(np.mean(found))
    best = max(scores, key=scores.get)
    model = clone(candidates()[best])
    _fit(model, x, supported, weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"model": model, "name": best, "features": FEATURES, "cv": scores, "pairs": len(x)}, path)
    return scores


def _fit(model, x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> None:
    if hasattr(model, "steps"):  # a pipeline: the regression weighs its classes itself
        model.fit(x, y)
    else:
        model.fit(x, y, sample_weight=weights)


class LearnedVerifier:
    """Supported when the trained model says so; otherwise the rules' label and reason when they found a failing fact,
    else the judge's likelier of 矛盾 and 未提及."""

    name = "learned"

    def __init__(self, judge: LLMJudge, paraphrase: ParaphraseCheck, path: Path = MODEL) -> None:
        self.judge_model = judge
        self.paraphrase = paraphrase
        saved = joblib.load(path)
        if tuple(saved["features"]) != FEATURES:
            raise ValueError(f"{path} was trained on other features: run python -m eval verifier --train")
        self.model = saved["model"]

    def judge(self, claim: str, passage: str, question: str = "") -> Verdict:
        row = features(claim, passage, question, self.judge_model, self.paraphrase)
        p = float(self.model.predict_proba(np.array([row]))[0, 1])
        judged = dict(zip(("supported", "contradicted", "unsupported"), row[12:15], strict=True))
        if p >= 0.5:
            return Verdict("supported", "", judged)
        rules = verdict(claim, passage, question, self.paraphrase)
        if rules != "supported":
            return Verdict(rules, rules_reason(claim, passage, question), judged)
        label = max(LABELS[1:], key=lambda x: judged[x])
        word = "矛盾" if label == "contradicted" else "未提及"
        return Verdict(label, f"组合模型：支持的概率 {p:.2f}；判断模型倾向 {word}", judged)

    def label(self, claim: str, passage: str, question: str = "") -> str:
        return self.judge(claim, passage, question).label
