"""Words by which a reply says what it plans or will do, not what is done ("计划新建", "将于", "下一步", "争取")."""

from __future__ import annotations

import re

# 将 of the future, not the 将 that means 把 ("已将…纳入"): it is followed by when, where or the deed itself.
_WILL = (
    r"(?<![已并共即])将(?=于|在|进一步|继续|加快|加大|全面|逐步|推动|推进|积极|持续|启动|开展|建成|完成|实施|出台|新增|"
    r"新建|增加|提高|适时|尽快|研究|会同|联合|组织|按照|根据|协调|督促|对|把|结合|不断|着力|重点|严格|依法|立即|及时|申请|"
    r"安排|由|与|按|加强|认真)"
)
# 会 of the future ("我们会加强沟通", "也会分步骤进行"), not the 会 of 会议 or 村委会.
_SHALL = r"(?<![委协学社议机大开例])会(?=加强|进一步|继续|及时|尽快|严格|认真|积极|分|将|按|依法|安排)"
# 计划 as a verb ("计划新建"), not the noun ("年度改造计划", "计划中的项目").
_PLANS_TO = r"计划(?=[\u4e00-\u9fff\d])(?![的中内表书单生已和及])"
PLAN = re.compile(rf"{_PLANS_TO}|预计|(?<!模)拟(?![人定])|{_WILL}|{_SHALL}|下一|(?<!综合)考虑|争取(?![到了])|力争|即将|承诺")
