"""The set phrases that frame a reply without saying anything of its substance: the greeting, the thanks, the
acknowledgement that the message arrived, the "现答复如下" that opens the answer and the "特此答复" that closes it."""

from __future__ import annotations

import re

_FORMULA = re.compile(
    r"尊敬的[^，。：:！!]{0,15}[：:]"
    r"|(?:网友|市民|群众|先生|女士|同志)?[“\"]?[A-Za-z0-9]*[”\"]?[，,：:]?\s*(?:您好|你好)"
    r"|(?:衷心|非常|十分|再次)?(?:表示)?感谢(?:您|你)?(?:对[^，。！]{0,30}的)?(?:关心|关注|支持|理解|信任|监督)?(?:和(?:关心|关注|支持|理解|信任|监督))*"
    r"|(?:您|你)?(?:的|所)?(?:来信|留言|来电|建议|提案|意见|反映的问题|反映的情况|诉求)(?:已)?(?:收悉|收到)"
    r"|(?:现|特)?(?:将|就|把)?(?:有关|相关)?(?:情况|问题)?(?:答复|回复|汇报|报告|反馈)如下"
    r"|(?:特此|专此)(?:答复|回复|函复)|此复|以上答复|欢迎(?:您)?(?:继续|再次|多提)[^，。！]{0,20}"
    r"|(?:祝您?|顺祝)[^，。！]{0,10}"
)
# What must be left of a sentence without its set phrases for it to say something.
_SUBSTANCE_CHARS = 8
_CJK = re.compile(r"[\u3400-\u9fff\dA-Za-z]")


def is_formula(sentence: str) -> bool:
    """The sentence only frames the reply: a greeting, thanks, an acknowledgement, an opening or closing phrase, with
    next to nothing else ("您的留言已收悉。", "尊敬的王明代表：衷心感谢您对教育工作的关心和支持！")."""
    rest, found = _FORMULA.subn("", sentence)
    return found > 0 and len(_CJK.findall(rest)) < _SUBSTANCE_CHARS
