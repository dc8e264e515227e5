from answer.context import excerpts

PASSAGES = [
    "全区共有中小学校和幼儿园食堂286家。今年天气很好。我局将继续加强监管。",
    "区内河段长9.4公里。",
    "2023年共检查校园食堂1120家次。一是加密监测频次。抽检合格率为99.3%。",
]


def test_only_the_sentences_nearest_the_question_are_shown_within_the_budget():
    shown = excerpts("全区中小学和幼儿园食堂一共有多少家？2023年检查了多少家次？", PASSAGES, 40)
    text = "".join(x.text for x in shown)
    assert "286家" in text and "1120家次" in text
    assert "天气" not in text and "9.4公里" not in text
    assert [x.passage for x in shown] == [0, 2]  # a passage with nothing near the question is left out


def test_the_best_sentence_is_kept_even_over_budget_and_gaps_are_marked():
    shown = excerpts("食堂286家", PASSAGES, 5)
    assert shown[0].text == "全区共有中小学校和幼儿园食堂286家。"
    passage = "全区共有食堂286家。今年天气很好，气温适宜，阳光充足，风也不大，适合户外活动。我局将继续加强监管。"
    gapped = excerpts("食堂286家 加强监管", [passage], 200)[0].text
    assert gapped == "全区共有食堂286家。……我局将继续加强监管。"


LIST_REPLY = (
    "经研究，申请困难救助须符合以下三个条件：一是具有本县户籍。需提供户口簿。"
    "二是家庭人均收入低于当地最低生活保障标准；"
    "三是未享受其他同类补助。"
    "本县今年共发放困难救助金320万元，惠及困难群众1.2万人，困难救助工作取得了明显成效。"
)


def test_a_list_question_gets_every_item_of_the_list_not_only_those_repeating_its_words():
    text = "".join(x.text for x in excerpts("申请困难救助要符合哪些条件？", [LIST_REPLY], 90, whole_lists=True))
    assert "具有本县户籍" in text and "最低生活保障标准" in text and "同类补助" in text  # a point may run on
    assert "320万元" not in text  # it repeats the question's words, but the list came first
    figure = "".join(x.text for x in excerpts("本县困难救助发放了多少钱？", [LIST_REPLY], 60))
    assert "320万元" in figure and "最低生活保障" not in figure  # a question for one figure gets no list


def test_a_reply_s_opening_does_not_lift_a_list_that_answers_something_else():
    opening = (
        "关于加装电梯补贴申请条件的建议收悉，现将有关情况答复如下。"
        "一是加强组织领导，成立工作专班，定期召开调度会议，协调解决推进中遇到的各类困难和问题。"
        "二是强化资金保障，积极争取上级补助资金，引导社会资本参与，多渠道拓宽资金来源。"
        "三是加强宣传引导，通过报纸、电视、网络等渠道宣传政策，营造共同参与的良好氛围。"
    )
    conditions = "申请加装电梯补贴须经本单元三分之二以上业主同意，并在电梯验收合格后六个月内提出申请。"
    shown = excerpts("加装电梯的补贴申请条件有哪些？", [opening, conditions], 120, whole_lists=True)
    text = "".join(x.text for x in shown)
    assert "三分之二以上业主同意" in text and "强化资金保障" not in text
