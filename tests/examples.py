"""Test data that more than one test file uses, each written once: the seed's title, questions about corpus/, the
issue's suggestion as clerks paste it, and a checked chat answer."""

from __future__ import annotations

# The seed reply's (tests.conftest.SEED) title, as its first line gives it.
SEED_TITLE = "区科创局关于区八届人大第四次会议代表建议第20240221号的主办意见"
# Questions about corpus/: the seed answers the first four, the samples the fifth; no reply answers UNCOVERED.
SCHOLARSHIP = "企业在高职院校设奖学金培养人才，区里最多支持多少？"
CROSS_BORDER = "河套合作区在跨境数据流动方面做了哪些工作？"
PLATFORMS = "河套合作区布局了哪些科研平台？"
HONG_KONG_FOLLOW_UP = "其中哪些依托香港的高校？"  # asked after PLATFORMS
ELEVATOR_SUBSIDY = "加装电梯的补贴标准是多少？"
UNCOVERED = "区里对新能源汽车充电桩有什么补贴？"

# The example as clerks paste it: title and points in one paragraph, counted off between commas; its points.
PARKING = (
    "关于加强老旧小区停车管理和增设充电设施的建议：一是挖掘小区周边停车资源，二是规范小区内停车收费，"
    "三是在老旧小区增设电动自行车集中充电点，防止飞线充电。"
)
PARKING_POINTS = ["挖掘小区周边停车资源", "规范小区内停车收费", "在老旧小区增设电动自行车集中充电点，防止飞线充电"]

OFFICE = "南湖区住房和建设局"
# A reply cited by a chat answer, and the answer on ELEVATOR_SUBSIDY as the app gives it (Answer.to_dict()): its
# quote, its summary with one sentence left out and the notice that says so.
ELEVATOR = {
    "n": 1,
    "title": "区住房和建设局关于加装电梯的答复",
    "section": "二、优化补助政策",
    "text": "每台最高补助由20万元提高至25万元",
    "office": OFFICE,
    "date": "2024-06-12",
}
ANSWER = {
    "question": ELEVATOR_SUBSIDY,
    "answer": "每台最高补助25万元[1]。",
    "refused": False,
    "quotes": [{**ELEVATOR, "text": "每台最高补助由20万元提高至25万元。"}],
    "sentences": [{"text": "每台最高补助25万元[1]。", "status": "supported"}],
    "dropped": [{"text": "补助每年发放两次。", "status": "unsupported", "reason": "资料未提及“每年发放两次”"}],
    "notice": "摘要中有 1 句与答复原文不符或找不到依据，已略去。",
    "citations": [ELEVATOR],
}
