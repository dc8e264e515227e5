"""The evaluation: question file handling, scoring, the verifier figures, and a small run through the real LLM."""

import json
from pathlib import Path

import pytest

from answer.support import verdict
from eval.__main__ import main as eval_main
from eval.questions import Question, read_questions
from eval.scores import comparable, evidence_rank, score
from eval.verifier import LLMJudge, LocalVerifier, RuledJudge
from settings import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "eval" / "data" / "questions_corpus.jsonl"


def test_the_corpus_question_set_is_large_and_varied():
    questions = read_questions(QUESTIONS)
    assert len(questions) >= 60
    assert sum(not q.answerable for q in questions) >= 10
    assert {"number", "date", "list", "who", "multi_section", "followup", "precedent", "unanswerable"} <= {
        q.type for q in questions
    }


def test_a_malformed_line_is_reported_by_number_and_skipped(tmp_path: Path, caplog):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "问一", "extra": 1}\n{not json\n{"id": "c", "question": "问三"}\n', encoding="utf-8")
    assert [q.id for q in read_questions(path)] == ["a", "c"]
    assert "line 2" in caplog.text


def test_gold_facts_match_after_normalising_width_spaces_separators_and_units():
    assert comparable("给予最高 ５０ 万元支持[1]，共 1,200 家") == "给予最高50万元支持,共1200家".replace(",", "，")
    assert comparable("1.3km") in comparable("全长1.3公里")


def test_evidence_rank_finds_the_passage_that_holds_the_span():
    passages = ["无关内容。", "根据用人单位实际支出的 30%，给予最高 50 万元支持。"]
    assert evidence_rank("根据用人单位实际支出的30%，给予最高50万元支持", passages) == 2
    assert evidence_rank("完全不同的一句话内容在这里", passages) is None


def test_scores_of_a_partly_made_up_answer():
    question = Question("q", "最多支持多少？", True, ["50万元"], "给予最高50万元支持", "number")
    passage = "根据用人单位实际支出的30%，给予最高50万元支持。"
    answer = {
        "answer": "区里给予最高50万元支持[1]。另外每年奖励80万元。",
        "refused": False,
        "citations": [{"n": 1, "text": passage, "passage": passage}],
        "passages": [{"text": passage}],
        "timings": {"first_token_s": 1.0, "total_s": 2.0},
    }
    scores = score(question, answer, LocalVerifier())
    assert scores["faithfulness"] == 0.5
    assert scores["unsupported_claims"] == ["另外每年奖励80万元。"]
    assert "80万元 不在资料中" in scores["unsupported_reasons"][0]
    assert scores["citation_precision"] == 1.0 and scores["citation_recall"] == 1.0
    assert scores["correctness"] == 1.0 and scores["refusal_correct"] == 1.0 and scores["recall@1"] == 1.0


def test_a_contradiction_the_engine_marked_is_counted_apart_from_one_shown_as_supported():
    question = Question("q", "2014年的燃油补贴下拨了吗？", True, ["还未下拨"], "2014年燃油补贴上级部门还未下拨", "yesno")
    passage = "A市客运公司2013年燃油补贴资金已全额发放到承包经营者卡上。目前2014年燃油补贴上级部门还未下拨。"
    claim = "2014年的燃油补贴上级部门已经下拨。"
    answer = {"answer": claim, "refused": False, "passages": [{"text": passage}], "timings": {}}
    marked = score(question, {**answer, "sentences": [{"text": claim, "status": "contradicted"}]}, LocalVerifier())
    shown = score(question, {**answer, "sentences": [{"text": claim, "status": "supported"}]}, LocalVerifier())
    assert marked["contradiction_rate"] == shown["contradiction_rate"] == 1.0
    assert marked["contradiction_unmarked"] == 0.0 and shown["contradiction_unmarked"] == 1.0


def test_verifier_figures_on_any_labelled_file(tmp_path: Path, capsys):
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"claim": "最高补助25万元。", "passage": "每台最高补助25万元。", "label": "supported"},
        {"claim": "最高补助35万元。", "passage": "每台最高补助25万元。", "label": "contradicted"},
        {"claim": "每台最高补助25万元，并已全部完工验收。", "passage": "每台最高补助25万元。", "label": "unsupported"},
    ]
    pairs.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    saved = tmp_path / "verifier.json"
    assert eval_main(["verifier", "--pairs", str(pairs), "--verifiers", "local", "--save", str(saved), "--errors"]) == 0
    assert "| pairs (3) | 1.000 · " in capsys.readouterr().out
    assert json.loads(saved.read_text(encoding="utf-8"))["cells"]["pairs"]["local"]["balanced_accuracy"] == 1.0
    assert "| local |" in saved.with_suffix(".md").read_text(encoding="utf-8")


def test_the_rules_alone_keep_their_figures_on_held_out_and_untuned_pairs(tmp_path: Path, capsys):
    assert eval_main(["verifier", "--verifiers", "local", "--save", str(tmp_path / "verifier.json")]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| pairs_")]
    corpus, teddy, fresh, *later = (float(line.split("|")[2].split("·")[0]) for line in rows)
    assert corpus >= 0.85 and teddy >= 0.85  # measured 0.872 and 0.852 on the held-out halves
    # Short of 0.85 on the untuned sets (docs/verifier.md): paraphrases, which the default leaves to the judge.
    assert fresh >= 0.78 and len(later) == 4 and min(later) >= 0.68


@pytest.mark.llm
@pytest.mark.parametrize(
    ("claim", "passage", "supported"),
    [
        (
            "加装电梯审批时限在2022年压缩到20个工作日后，又进一步压缩到15个工作日。",
            "同时，我局持续优化审批服务，在2022年将审批时限压缩至20个工作日的基础上，进一步压缩至15个工作日。",
            True,
        ),
        (
            "青年人才公寓首次租期3年，期满仍符合条件的可以续租一次，最长住6年。",
            "延长租赁期限。首次签订租赁合同期限为3年，期满后仍符合条件的可续租一次，累计租住期限最长不超过6年。",
            True,
        ),
        (
            "“南湖智慧停车”平台同时提供支付宝小程序入口。",
            "我区“南湖智慧停车”平台已于2023年12月正式上线运行。平台以微信小程序为入口，目前已接入公共停车场386个。",
            False,
        ),
        (
            "给失能半失能老年人提供的上门巡诊服务是免费的。",
            "对行动不便的失能半失能老年人，提供上门巡诊和家庭病床服务。",
            False,
        ),
        (
            "社康门诊报销比例比医院高5个百分点。",
            "东江市医疗保障局南湖分局同步落实社康门诊报销比例高于医院10个百分点的差异化支付政策，引导群众首诊在社康。",
            False,
        ),
        (
            "2020年其他垃圾日均清运量同比上升8.6%。",
            "2020年，全区厨余垃圾日均分出量达到285吨，较2019年增长41.8%；其他垃圾日均清运量同比下降8.6%。",
            False,
        ),
        (
            "乔汨线道路已于2019年建成通车。",
            "目前，乔汨线道路建设项目已启动施工，该项目连接黄桥大道至F8市高家庄，预计将于2019年建成通车。",
            False,
        ),
    ],
    ids=["paraphrase", "reordered", "added-entrance", "added-free", "changed-figure", "flipped-trend", "plan-said-done"],
)
def test_the_default_verifier_leaves_wording_to_the_judge_and_figures_to_the_rules(
    bundled_llm, claim: str, passage: str, supported: bool
):
    """The rules alone reject both paraphrases and accept the free service; the bundled judge alone accepts the last three."""
    assert (RuledJudge(LLMJudge(bundled_llm)).label(claim, passage) == "supported") is supported


@pytest.mark.parametrize(
    ("claim", "passage", "label"),
    [
        ("乔汨线道路已于2019年建成通车。", "目前，乔汨线道路建设项目已启动施工，预计将于2019年建成通车。", "unsupported"),
        ("全区已累计建成加装电梯186台。", "截至2022年5月底，全区已累计建成加装电梯186台，另有57台正在建设。", "supported"),
        ("市场门前的车位足以满足业主的停车需求。", "但仅有30余个车位，不能满足整个楼盘业主车辆停放。", "contradicted"),
        ("备案成功的可以在医院直接报账。", "异地就医备案成功的在医院直接报账，未成功的拿回当地医保经办机构报账。", "supported"),
        ("2022年计划开展宣传活动不少于100场。", "2022年计划开展宣传活动100场以上。", "supported"),
        ("补贴标准不低于每户5000元。", "补贴标准不高于每户5000元。", "contradicted"),
        ("该项目已于2022年建成投用。", "该项目于2022年建成投用，下一步将继续完善配套设施。", "supported"),
        ("B小区将在下一批次考虑纳入改造范围。", "B小区暂未纳入改造范围，将在下一批次考虑。", "supported"),
        ("街道已经协调开通了2条农村公交线路。", "下一步，街道将加快道路建设，协调开通2条农村公交线路。", "unsupported"),
        ("区教育局已把26所学校纳入名录。", "区教育局已将26所学校纳入名录，明确启用程序。", "supported"),
        ("该地块成交价为3.6786亿元。", "该地块成交价为36786万元，成交时间为2016年10月8日。", "supported"),
        ("全年查处交通违法三十多万起。", "全年累计查处各类交通违法三百多万起。", "contradicted"),
        ("办法自2023年1月1日起施行。", "修订后的办法自2023年7月1日起施行。", "contradicted"),
        (
            "运营补贴按实际供餐量给予运营主体每餐5元。",
            "二是运营补贴，按实际供餐量给予运营主体每餐3元补贴；三是就餐补贴，对80周岁以上老年人再给予每餐5元补贴。",
            "contradicted",
        ),
        ("A市国土资源局官方网站的土地交易结果显示已成交。", "A7县国土资源局官方网站的土地交易结果显示已成交。", "contradicted"),
        ("区财政局为学校项目开辟了绿色通道。", "区财政局安排资金。区发展和改革局为学校项目开辟审批绿色通道。", "contradicted"),
        ("补贴由区住建局发放。", "补贴由区住房和城乡建设局发放。", "supported"),
        (
            "资金池设立以来服务了2150家企业。",
            "我区设立规模5亿元的信贷风险补偿资金池，与14家合作银行约定分担损失。资金池设立以来，累计撬动银行贷款96.3亿元，服务企业2150家。",
            "supported",
        ),
        ("“湾区芯谷”芯片研究院依托南方科技大学。", "已布局“湾区芯谷”芯片研究院（依托南方科技大学、香港科技大学）。", "supported"),
        (
            "2013年的燃油补贴已全额发放到承包经营者卡上，2014年的燃油补贴上级部门还没有下拨。",
            "A市客运公司2013年燃油补贴资金已全额发放到承包经营者卡上，明细可到公司查询。目前2014年燃油补贴上级部门还未下拨。",
            "supported",
        ),
        (
            "2014年的燃油补贴上级部门已经下拨。",
            "A市客运公司2013年燃油补贴资金已全额发放到承包经营者卡上。目前2014年燃油补贴上级部门还未下拨。",
            "contradicted",
        ),
        (
            "虽然现在营运车辆不多，后期会根据乘客需求适时增加营运车辆。",
            "虽然现在车辆较少，后期我司会根据乘客需求，适时增加营运车辆。",
            "supported",
        ),
        (
            "合作区布局了多项科研平台，包括但不限于转化医学研究中心。",
            "合作区布局了多项科研平台，包括转化医学研究中心、量子科学中心。",
            "supported",
        ),
    ],
    ids=[
        "planned-said-done",
        "done-said-done",
        "negation-dropped",
        "contrast-kept",
        "bound-not-negation",
        "bounds-opposed",
        "plan-in-another-clause",
        "future-claim",
        "plan-set-earlier-in-the-sentence",
        "disposal-jiang-is-no-plan",
        "yi-and-wan-are-one-value",
        "chinese-numerals-compared",
        "date-is-one-fact",
        "figure-of-another-item",
        "office-of-another-level",
        "deed-of-another-office",
        "office-abbreviated",
        "figure-after-its-subject",
        "place-word-inside-a-name",
        "negation-of-the-second-sentence",
        "negation-dropped-in-the-second-sentence",
        "litotes-not-negation",
        "not-limited-to-lists",
    ],
)
def test_the_verifier_reads_modality_negation_figures_and_offices(claim: str, passage: str, label: str):
    assert verdict(claim, passage) == label


@pytest.mark.llm
def test_a_small_run_writes_results_report_and_plots(tmp_path: Path, corpus_settings, corpus_store, monkeypatch):
    monkeypatch.setenv("DAFU_DATA_DIR", str(corpus_settings.data_dir))
    subset = tmp_path / "subset.jsonl"
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    picked = [json.loads(line) for line in lines if json.loads(line)["id"] in {"q002", "q001"}]
    subset.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in picked), encoding="utf-8")
    out = tmp_path / "run"
    assert eval_main(["run", str(subset), "--out", str(out)]) == 0
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(results) == 2
    unanswerable = next(r for r in results if not r["answerable"])
    assert unanswerable["answer"]["refused"] and unanswerable["scores"]["refusal_correct"] == 1.0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "faithfulness" in report and "By question type" in report
    assert (out / "distributions.png").stat().st_size > 1000 and (out / "by_type.png").exists()
    assert eval_main(["run", str(subset), "--out", str(tmp_path / "again"), "--compare", str(out)]) == 0
    assert "change" in (tmp_path / "again" / "report.md").read_text(encoding="utf-8")
