"""The set phrases that frame a reply without saying anything of its substance: the greeting, the thanks, the
acknowledgement that the message arrived, the "现答复如下" that opens the answer and the "特此答复" that closes it; and
the lines that close it: contact details, the signing office, the date. Also the courtesy that closes a suggestion or
message ("恳请领导重视，谢谢！"), which asks nothing of a reply."""

from __future__ import annotations

import re

from text.dates import CLOSING_DATE, DATE_LINE
from text.offices import OFFICE_LINE
from text.sentences import sentence_spans

_FORMULA = re.compile(
    r"尊敬的[^，。：:！!]{0,15}[：:]"
    r"|(?:网友|市民|群众|先生|女士|同志)?[“\"]?[A-Za-z0-9]*[”\"]?[，,：:]?\s*(?:您好|你好)"
    r"|(?:衷心|非常|十分|再次)?(?:表示)?(?:感谢|谢谢)(?:您|你|代表|委员)?(?:对[^，。！]{0,30}的)?(?:关心|关注|支持|理解|信任|监督)?"
    r"(?:[和与、](?:关心|关注|支持|理解|信任|监督))*"
    r"|(?:您|你|代表|委员)?(?:提出|所提)的[“《\"][^”》\"]{0,80}[”》\"](?:的?(?:建议|提案))?"
    r"|(?:内容)?(?:很|非常|十分)?(?:具有|有)(?:很强的)?(?:针对性|代表性|建设性|前瞻性|参考价值|指导意义)"
    r"|(?:您|你)?(?:通过[^，。；]{0,15}?)?(?:的|所)?(?:来信|留言|来电|帖文|帖子|信件|建议|提案|意见|反映的问题|反映的情况|诉求)"
    r"(?:已|我们已)?(?:收悉|收到|阅)"
    r"|(?:现|特)?(?:将|就|把)?(?:有关|相关)?(?:情况|问题)?(?:答复|回复|汇报|报告|反馈)如下"
    r"|(?:我[局委办]|我们|[区市县]政府)?(?:对[^，。]{0,20}?)?(?:高度|非常|十分|极为)重视"
    r"|(?:立即|及时|认真)?(?:组织|会同)[^，。；]{0,60}?(?:(?:进行了?|开展了?)(?:认真)?|认真)"
    r"(?:研究讨论|研究|讨论|调查处理|调查核实|办理)(?=[，。；]|$)"
    r"|(?:该|本|此)件?(?:建议|提案|议案)由[^，。；]{0,30}?(?:主办|办理)|[^，。；]{0,30}?(?:会办|协办)(?=[，。；]|$)"
    r"|(?:(?:建议|提案|意见)[”\"》]?|(?<=[”\"》]))[，,]?[^，。；]{0,6}?对[^，。；]{0,30}?(?:具有|有)(?:积极|重要|现实)?(?:意义|作用)|反映了[^，。；]{0,30}?的?(?:突出|实际|现实|迫切)?(?:问题|需求|诉求|呼声|期盼)"
    r"|(?:特此|专此)(?:答复|回复|函复)|此复|以上答复|欢迎(?:您)?(?:继续|再次|多提)[^，。！]{0,20}"
    r"|(?:祝您?|顺祝)[^，。！]{0,10}"
)
# What a reply says instead of answering. Set phrases only where a reply is judged as a whole (a reply of nothing but
# these says nothing of substance): a sentence such as "可直接向区医保局申请报销" answers a question in the chat.
_DEFERRAL = re.compile(
    # Forwarded, answered elsewhere, to be studied, not its business, wait.
    r"(?:已|现)?(?:转交?|转至|转到|转给|转请|交由|转办)[^，。；！]{0,30}?"
    r"(?:办理|处理|核实|调查|核处|办复|答复|回复|跟进|反馈|(?:相关|有关)(?:单位|部门))(?:[、和](?:办理|处理|核实|办复|答复|回复))?"
    r"|(?:(?:您|你)(?:所)?反映的(?:问题|情况))?(?:相关|有关)?部门已经?(?:答复|回复)|(?:链接|网址)[：:]\s*https?://[\x21-\x7e]+|https?://[\x21-\x7e]+"
    r"|(?:将|会)(?:认真|深入)?(?:研究|考虑)(?:您|你)?的?(?:建议|意见)?"
    r"|(?:请|敬请)(?:您)?(?:耐心等待|留意|关注|随时关注)[^，。；！]{0,20}|(?:现)?正在(?:积极|抓紧)?(?:处理|办理|核实)中?"
    r"|不属于?[^，。；]{0,8}?(?:职能|职责|业务|管辖范围|受理范围)|(?:问题|情况)?未(?:说|讲|写|描述)(?:详细|清楚)"
    r"|(?:了解|核实)(?:详情|情况)后[，,]?[^，。；]{0,4}(?:为|给)(?:您|你)(?:解答|答复|回复)"
    r"|如有(?:相关|新的|进一步)?(?:情况|进展)(?:将|会)?及时(?:反馈|告知|回复)"
    r"|(?:由于|因)?不掌握具体情况|无法(?:直接)?(?:答复|回复|解答)(?:您|你)?的?(?:诉求|问题|留言)?"
    r"|如果?(?:您|你)?[^，。；]{0,10}?(?:遇到困难|有困难|需要帮助)[，,]?(?:我们)?(?:将|会)?(?:给予|提供)?(?:协助|帮助)"
    # Sent elsewhere: "建议您准备好情况说明，直接向县国土局、县公路局咨询", "故请向市不动产登记中心反映相关问题".
    r"|(?:(?:建议|请)(?:您|你)?[^，。；]{0,10}?[，,]?)?(?:直接)?向[^，。；]{0,60}?(?:咨询|反映|申请|投诉|举报)(?:相关|有关)?(?:问题|情况)?"
    # The message it answers, named and nothing said of it: "关于您反映的问题", "网友“UU0081876”".
    r"|(?:关于)?(?:您|你)(?:所)?(?:反映|咨询)的(?:问题|情况)(?![^，。；]{0,4}(?:属实|存在|不存在|已经?解决))"
    r"|(?:网友|用户)[“\"]?[A-Za-z]{1,4}\d{3,}[”\"]?|[“\"][A-Za-z]{1,4}\d{3,}[”\"]"
)
# Contact details that close a reply: who to call, the number, the address; and the phrases that offer them.
CONTACT = re.compile(r"联系人[：:]\s*([^\s，,）)]+?)[\s，,]*(?:联系)?电话[：:]\s*([\d\-]+)")
_CONTACT_PIECE = re.compile(
    r"[^，。；\d]{0,20}?(?:电话|热线|手机|传真)[：:]?\s*[\d\-（）()转]{5,}"
    r"|(?:联系人|联系电话|咨询电话|办公电话|服务热线|热线|电话|手机|传真|邮箱|电子邮件|电子邮箱|邮编|邮政编码)"
    r"[：:]?\s*[\dA-Za-z\-@.（）()、转]+|联系人[：:]\s*[^\s，,。；]{1,6}|(?:通讯地址|地址)[：:][^，。；]{0,40}"
    r"|(?:如(?:您)?(?:还|仍)?有(?:疑问|问题|其他问题|不明之处)|如需(?:进一步)?(?:了解|咨询))"
    r"|(?:建议|欢迎|可|请)?(?:您)?(?:可)?(?:拨打|致电|来电|联系|咨询)|详询|咨询|联系"
)
# How a writer closes a suggestion or message, asking nothing of its own: "恳请领导重视，谢谢！", "望采纳", "盼复".
_COURTESY = re.compile(
    r"(?:恳请|敬请|请|望|希望|盼望|盼)?(?:各级|有关|相关)?(?:领导|部门|政府|[^，。！]{0,4}部门)?(?:予以|给予)?(?:高度)?"
    r"(?:重视|关注|采纳|考虑|支持|回复|答复|批示|审阅|得到答复)(?:此事|这个问题|一下|起来)?"
    r"|(?:并|并且)?(?:尽快|早日)?(?:给予|予以)?(?:答复|回复|解决|处理|落实)"
    r"|(?:非常|十分)?(?:谢谢|感谢)(?:您|你|领导)?|不胜感激|盼复|为盼|为感|此致|敬礼|妥否|以上建议"
)
# A sentence may frame in set phrases and offer a phone number in one: "如有疑问，请拨打…电话…咨询，感谢您的关注".
_SET_PHRASE = re.compile(f"{_FORMULA.pattern}|{_CONTACT_PIECE.pattern}")
# The same, and deferring: what a reply that answers nothing is made of.
_DEFERRING = re.compile(f"{_SET_PHRASE.pattern}|{_DEFERRAL.pattern}")
# What must be left of a sentence without its set phrases for it to say something.
_SUBSTANCE_CHARS = 8
_CJK = re.compile(r"[\u3400-\u9fff\dA-Za-z]")


def _says_nothing_but(pattern: re.Pattern[str], sentence: str, least: int = _SUBSTANCE_CHARS) -> bool:
    rest, found = pattern.subn("", sentence)
    return found > 0 and len(_CJK.findall(rest)) < least


def without_formula(sentence: str) -> str | None:
    """What the sentence says besides its set phrases, deferrals among them ("您反映的…问题，我们已收到，这不属于民政业务"
    leaves the subject it repeats), or None when it holds none."""
    rest, found = _DEFERRING.subn("", sentence)
    return rest if found else None


def defers(sentence: str) -> bool:
    """The sentence frames the reply or puts the answer off: forwarded ("已转交A3区住建局办理"), answered elsewhere, to be
    studied, not its business, sent elsewhere ("建议您直接向县国土局咨询"), with contact details or without. Said of a
    reply as a whole: one made only of these answers nothing."""
    return _says_nothing_but(_DEFERRING, sentence)


def is_formula(sentence: str) -> bool:
    """The sentence only frames the reply: a greeting, thanks, an acknowledgement, an opening or closing phrase, with
    next to nothing else ("您的留言已收悉。", "尊敬的王明代表：衷心感谢您对教育工作的关心和支持！")."""
    return _says_nothing_but(_FORMULA, sentence)


def is_courtesy(sentence: str) -> bool:
    """The sentence only closes a suggestion or message politely ("恳请领导重视，谢谢！", "以上建议妥否，请审阅。"): nothing
    at all is left without its courtesy, as a request names its subject however short ("希望关注留守儿童")."""
    return _says_nothing_but(_COURTESY, sentence, least=1)


def is_contact(sentence: str) -> bool:
    """The sentence only gives contact details ("联系人：王芳，联系电话：0755-8888", "如有疑问，请拨打咨询电话…详询。")."""
    return _says_nothing_but(_CONTACT_PIECE, sentence)


def is_framing(sentence: str, title: str = "") -> bool:
    """A set phrase, contact details, the signing office or date on its own, or the reply's own title heading it:
    nothing of what the reply says."""
    line = sentence.strip()
    return (
        is_formula(line)
        or is_contact(line)
        or _says_nothing_but(_SET_PHRASE, line)
        or bool(DATE_LINE.match(line) or OFFICE_LINE.match(line) or OFFICE_LINE.match(CLOSING_DATE.sub("", line)))
        or bool(title and line == title.strip())
    )


def says_little(passage: str, title: str = "") -> bool:
    """Most of the passage frames the reply (its title, greeting and thanks, its contact and signature lines): fewer
    than half its characters are in sentences that say something."""
    spans = sentence_spans(passage)
    total = sum(len(_CJK.findall(passage[s:e])) for s, e in spans)
    substance = sum(len(_CJK.findall(passage[s:e])) for s, e in spans if not is_framing(passage[s:e], title))
    return total > 0 and 2 * substance < total
