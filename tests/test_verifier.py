"""The claim verifier's parts: the few-shot judge's cached prefix, the question it is shown, the reasons it gives, and
the learned combination's training command."""

import json
import time
from pathlib import Path

import pytest

from eval.__main__ import main as eval_main
from eval.check_cost import answer_pairs
from eval.judge_cache import JudgeCache
from eval.verifier import LLMJudge, LocalVerifier

PASSAGE = "区住建局已将老旧小区加装电梯纳入2023年民生实事，每台给予最高30万元补助，下一步将在全区推广。"


@pytest.mark.llm
def test_the_few_shot_judge_reuses_its_examples_from_the_cache(bundled_llm):
    """The examples come first and stay byte-identical: llama.cpp evaluates them once, so the second pair is faster."""
    judge = LLMJudge(bundled_llm, "llm-fewshot", examples=True)
    claims = ["老旧小区加装电梯已纳入2023年民生实事。", "每台电梯最高补助30万元。", "加装电梯已在全区推广。"]
    seconds = []
    for claim in claims:
        start = time.perf_counter()
        judge.probabilities(claim, PASSAGE)
        seconds.append(time.perf_counter() - start)
    assert seconds[1] < seconds[0] / 2 and seconds[2] < seconds[0] / 2, seconds
    assert judge.label(claims[0], PASSAGE) == "supported"


@pytest.mark.llm
def test_the_judge_reads_a_yes_no_answer_as_an_answer_to_its_question(bundled_llm):
    judge = LLMJudge(bundled_llm, "llm-fewshot", examples=True)
    passage = "区游泳馆对全日制在校学生凭学生证实行半价优惠，暑期每天开放至晚上9点。"
    question = "游泳馆对学生有没有优惠？"
    assert "问题：游泳馆对学生有没有优惠？" in judge.messages("游泳馆对学生没有优惠。", passage, question)[-1]["content"]
    assert "问题：" not in judge.messages("游泳馆对学生没有优惠。", passage)[-1]["content"]
    assert judge.label("游泳馆对学生没有优惠。", passage, question) != "supported"


@pytest.mark.parametrize(
    ("claim", "named"),
    [
        ("每台给予最高50万元补助。", ["金额", "50万元", "不在资料中"]),
        ("区教育局已将老旧小区加装电梯纳入2023年民生实事。", ["区住建局", "不是区教育局"]),
        ("加装电梯已在全区推广。", ["计划", "已完成"]),
    ],
    ids=["figure", "office", "plan-said-done"],
)
def test_a_verdict_names_the_fact_that_failed(claim: str, named: list[str]):
    found = LocalVerifier().judge(claim, PASSAGE)
    assert found.label != "supported"
    assert all(word in found.reason for word in named), found.reason


def test_the_learned_combination_trains_from_the_judges_cached_answers(tmp_path: Path, capsys):
    """Twenty pairs whose judge answers are already cached: training needs no model and takes seconds."""
    rows = []
    for n in range(10):
        figure = 20 + n
        rows.append(
            {
                "id": f"s{n}",
                "claim": f"每台最高补助{figure}万元。",
                "passage": f"每台最高补助{figure}万元。",
                "label": "supported",
            }
        )
        rows.append(
            {
                "id": f"u{n}",
                "claim": f"每台最高补助{figure + 5}万元。",
                "passage": f"每台最高补助{figure}万元。",
                "label": "contradicted",
            }
        )
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    cache = JudgeCache(tmp_path / "judge.jsonl")
    judge = LLMJudge(None, examples=True)
    for r in rows:
        yes = 0.8 if r["label"] == "supported" else 0.3
        cache.put(
            JudgeCache.key(judge.messages(r["claim"], r["passage"])),
            {"supported": yes, "unsupported": 0.1, "contradicted": 0.9 - yes},
            1.0,
        )
    model, table = tmp_path / "model.joblib", tmp_path / "verifier.json"
    common = ["--judge-cache", str(cache.path), "--model", str(model)]
    assert eval_main(["verifier", "--train", "--train-pairs", str(pairs), *common]) == 0
    assert model.is_file() and "cross-validated balanced accuracy" in capsys.readouterr().out
    assert eval_main(["verifier", "--pairs", str(pairs), "--verifiers", "learned", "--save", str(table), *common]) == 0
    learned = json.loads(table.read_text(encoding="utf-8"))["cells"]["pairs"]["learned"]
    assert learned["balanced_accuracy"] == 1.0 and learned["seconds_per_pair"] >= 1.0  # the cached judge's second counts


def test_the_check_cost_holds_each_sentence_to_what_it_cites_or_else_to_every_passage_shown():
    answer = {
        "question": "补助多少？",
        "passages": [{"n": 1, "text": "甲", "shown": True}, {"n": 2, "text": "乙", "shown": True}, {"n": 3, "text": "丙"}],
        "sentences": [{"text": "补助10万元[2]。", "markers": [2]}, {"text": "另有奖励。", "markers": []}],
    }
    pairs = [("补助10万元。", "乙", "补助多少？"), ("另有奖励。", "甲", "补助多少？"), ("另有奖励。", "乙", "补助多少？")]
    assert answer_pairs(answer) == pairs
