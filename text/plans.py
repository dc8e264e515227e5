"""Words by which a reply says what it plans or will do, not what is done ("计划新建", "将于", "下一步", "争取")."""

from __future__ import annotations

import re

# 将 of the future, not the 将 that means 把 ("已将…纳入", "请将材料交至…"): it is followed by when, where or the deed.
_WILL = (
    r"(?<![已并共即请可])将(?=于|在|进一步|继续|加快|加大|全面|逐步|推动|推进|积极|持续|启动|开展|建成|完成|实施|出台|新增|"
    r"新建|增加|提高|适时|尽快|研究|会同|联合|组织|按照|根据|协调|督促|对|把|结合|不断|着力|重点|严格|依法|立即|及时|申请|"
    r"安排|由|与|按|加强|认真)"
)
# 会 of the future ("我们会加强沟通", "也会分步骤进行"), not the 会 of 会议, 村委会, 工会 or 基金会.
_SHALL = r"(?<![委协学社议机大开例工金商联])会(?=加强|进一步|继续|及时|尽快|严格|认真|积极|分|将|按|依法|安排)"
# 计划 as a verb ("计划新建"), not the noun ("年度改造计划", "计划中的项目").
_PLANS_TO = r"计划(?=[\u4e00-\u9fff\d])(?![的中内表书单生已和及])"
# 承诺 of a promise made now ("承诺将于年底前完成"), not one recalled ("已承诺的事项均已完成").
_PROMISES = r"承诺(?=将|于|在|尽快|会)"
PLAN = re.compile(
    rf"{_PLANS_TO}|预计|(?<!模)拟(?![人定])|{_WILL}|{_SHALL}|下一|(?<!综合)考虑|争取(?![到了])|力争|即将|{_PROMISES}"
)

# A clause that sets the condition of the plan after it: "待《意见》联合行文后，", "如发现违法情况，", "对不按线路运营的驾驶员，".
CONDITION = re.compile(r"^(?:待|如|若|一旦|对于?)|[后时][，,；;]$")
