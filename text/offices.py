"""Names of offices and other bodies as replies write them: full, abbreviated ("区住建局"), or as 我局/本局."""

from __future__ import annotations

import re

# Endings of an office's name, for reading the handling offices out of a reply's opening.
OFFICE_SUFFIX = r"(?:局|委|会|办公室|办事处|办|政府|中心|院|署|厅|部|处|室|所|站|支行|分行|银行|队|公司|街道)"
OFFICE_NAME = re.compile(rf"[^\s，,。；;：:、“”]{{1,30}}{OFFICE_SUFFIX}")
# A line that is nothing but an office's name: the signature.
OFFICE_LINE = re.compile(r"^[^\s，。：；]{2,30}(?:局|委|委员会|办公室|办|政府|中心|院|署|厅|部)$")
# "各会办单位", "会办" and the like name a role, not an office.
ROLE_WORD = re.compile(r"[主会协]办")
# A reply naming its own signing office in a list of offices.
SELF = re.compile(r"(?:我|本)(?:局|委|办|厅|院|署|部|中心|单位)$")
# A passage speaking of its own office ("我局", "该委"): whoever signed it.
OWN_OFFICE = re.compile(r"[我本该][局委办]")
# "和" and "与" separate two offices only right after an office name: "区住房和建设局" is one office.
LIST_SEP = re.compile(r"、|以及|及|(?<=[局委办处院厅部署室])[和与]")
TRAILING_ETC = re.compile(r"等(?:\S{0,4}(?:单位|部门))?$")

# Bodies named in a sentence, offices or not, ending the name where a clause ends it.
_ORGANISATION = re.compile(
    r"[\u4e00-\u9fff]{1,14}?(?:局|委员会|委(?![托员屈婉任派])|办公室|中心|医院|大学|研究院|支队|大队|法院|检察院|街道|银行|公司|协会"
    r"|交易所|(?<=[省市县区镇乡])政府)"
)
_NOT_ORGANISATIONS = ("布局", "格局", "大局", "结局", "全局", "开局")
# Bodies that act (not places or institutions named in passing).
ACTING = ("局", "委", "委员会", "办公室", "政府", "法院", "检察院", "支队", "大队")
LEVELS = ("国家", "省", "市", "县", "区", "镇", "乡")
# Full names and the short forms replies use for them: "区住房和城乡建设局" is "区住建局".
_ABBREVIATIONS = (
    ("住房和城乡建设", "住建"),
    ("住房和建设", "住建"),
    ("住房城乡建设", "住建"),
    ("发展和改革委员会", "发改委"),
    ("发展改革委员会", "发改委"),
    ("发展和改革", "发改"),
    ("人力资源和社会保障", "人社"),
    ("市场监督管理", "市场监管"),
    ("自然资源和规划", "自然资源"),
    ("人民政府", "政府"),
)


def abbreviated(text: str) -> str:
    """The text with office names in their usual short forms."""
    for full, short in _ABBREVIATIONS:
        text = text.replace(full, short)
    return text


def organisations(text: str) -> list[str]:
    """Names of offices and bodies in the text, abbreviated the usual way ("区住建局")."""
    found = []
    for match in _ORGANISATION.finditer(abbreviated(text)):
        # The match starts wherever the clause does ("补贴由区住建局"): the name starts after the last function word.
        name = re.split(r"[的是在和与由对向为了把从经及]", match.group(0))[-1]
        if len(name) >= 3 and not name.endswith(_NOT_ORGANISATIONS):  # "业委" of "业委会" is no name
            found.append(name)
    return found


# What a reply calls a body it does not name ("我局", "该公司", "有关部门"), or a government in general.
_UNNAMED = ("我", "本", "该", "各", "相关", "有关", "市政府", "区政府", "县政府", "省政府")
# Words a clause may put before a name that organisations() leaves on it ("根据市政府", "辖区桂花坪街道", "日组织县公安局").
_BEFORE_A_NAME = re.compile(r"^(?:根据|按照|辖区|位于|请|经|问题|已|并|日|欢迎|电话|到|立即|及时|组织|联系)+")
# A body the reply was passed on or reported to ("已转交县住建局", "上报市政府"): not the one that answers.
_PASSED_TO = re.compile(r"^(?:问题|已|并|现)*(?:转交|转至|转到|转给|转办|转|上报|报送|交由)")
_MASKED_PREFIX = r"([A-Z]\d{0,2})?"


def answering_office(reply: str) -> str:
    """The office an unsigned reply speaks for, as its text names it: the acting body it names most (first, on a tie),
    with the masked place before it ("A5区教育局"); "" when it names none. An inference, for replies without the field."""
    text = abbreviated(reply)
    named = []
    for found in organisations(reply):
        if _PASSED_TO.match(found):
            continue
        name = _BEFORE_A_NAME.sub("", found)
        if len(name) >= 3 and name.endswith((*ACTING, "街道", "中心")) and not name.startswith(_UNNAMED) and "我" not in name:
            masked = re.search(_MASKED_PREFIX + re.escape(name), text)
            named.append(((masked.group(1) if masked else "") or "") + name)
    counts = {name: named.count(name) for name in named}
    return max(counts, key=lambda name: (counts[name], -named.index(name)), default="")


def names_in(name: str, text: str) -> bool:
    """The name's longest ending (three or more characters) found in text is there under the same level: "A市国土资源局"
    is not named by "A7县国土资源局", while "南湖区住建局" is by "区住建局". text is abbreviated already."""
    for i in range(len(name) - 2):
        ending = name[i:]
        if ending not in text:
            continue
        level = _level_before(name, i)
        return level is None or any(_level_before(text, m.start()) in (level, None) for m in re.finditer(re.escape(ending), text))
    return False


def _level_before(text: str, at: int) -> str | None:
    return next((w for w in LEVELS if text[:at].endswith(w)), None)


# How a reply names its own signer in running text ("我局积极协调……"); unlike OWN_OFFICE, never 该局 (another office
# named before) nor the 办 of 本办法 and 我办理.
_SIGNER_IN_TEXT = re.compile(r"[我本](?:局|委|厅)(?![员会托])|[我本]单位")


def names_own_signer(sentence: str) -> bool:
    """The sentence speaks of the office that signed it as 我局, 本委, 我单位 …"""
    return bool(_SIGNER_IN_TEXT.search(sentence))


def naming_own_signer(sentence: str, office: str) -> str:
    """The sentence with 我局/本局 written as the office that signed the reply it comes from, for use in another's reply."""
    return _SIGNER_IN_TEXT.sub(office, sentence)


# How an office speaks of itself in its own reply, by the ending of its name; 我单位 for any other. A government says
# 我区 or 我市 by its level ("南湖区人民政府" is 我区).
_OWN_WORDS = (
    ("街道办事处", "我街道"),
    ("办事处", "我办"),
    ("委员会", "我委"),
    ("管委会", "我委"),
    ("局", "我局"),
    ("委", "我委"),
    ("办公室", "我办"),
    ("办", "我办"),
    ("厅", "我厅"),
    ("中心", "我中心"),
    ("院", "我院"),
    ("大队", "我大队"),
    ("支队", "我支队"),
)
_GOVERNMENT = re.compile(r"([省市县区镇乡])(?:人民)?政府$")
# A level word that ends a place's name ("南湖区"), not one that begins a word (市场, 市政, 市容, 区域, 县级).
_PLACE_END = re.compile(r"[省市县区镇乡](?![场容域级属直]|政(?!府))")
# Where an office's own name may stand in a sentence: not inside a longer name ("北湖区住建局" holds "区住建局", "B市环保局"
# holds "市环保局"), and not as part of a title or a section of it ("住建局长", "区委宣传部", "区政府办公室").
_BEFORE_NAME = r"(?<![\u4e00-\u9fffA-Za-z0-9])|(?<=[和与及由经同对向为据将在])"
_AFTER_NAME = r"(?!长|副|[\u4e00-\u9fff]{0,2}(?:部|科|股|室|队|处(?![理置罚])))"
# The endings of a name that is an office's, not a place's: a typed "南湖区" names no one to speak for.
_OFFICE_END = re.compile(r"(?:局|委|委员会|办|办公室|办事处|厅|中心|院|政府|队|管委会)$")


def own_word(office: str) -> str:
    """What the office calls itself in its own reply: 我局, 我委, 我办, 我区 …"""
    if government := _GOVERNMENT.search(office):
        return f"我{government.group(1)}"
    return next((word for ending, word in _OWN_WORDS if office.endswith(ending)), "我单位")


def _short_names(office: str) -> list[str]:
    """The office's name as replies write it, longest first: in full, abbreviated (中共 left off), and without the
    names of its places ("G市南湖区住建局" is also "区住建局")."""
    names = {office, abbreviated(office)}
    names |= {name.removeprefix("中共") for name in list(names)}
    names |= {name[m.start() :] for name in list(names) for m in _PLACE_END.finditer(name) if m.start() > 0}
    return sorted((n for n in names if len(n) >= 3 and _OFFICE_END.search(n)), key=len, reverse=True)


def same_office(one: str, other: str) -> bool:
    """The two names are one office: equal once abbreviated, or one the other without its place ("区住建局")."""
    one, other = one.strip(), other.strip()
    if not one or not other:
        return False
    shorter, longer = sorted((abbreviated(one), abbreviated(other)), key=len)
    return shorter == longer or shorter in _short_names(longer)


def in_own_voice(sentence: str, office: str) -> str:
    """The sentence as the office writes it of itself: its own name, full or short, as 我局 (or 我委, 我区 …), where it
    stands as a name of its own."""
    names = _short_names(office.strip())
    if not names:
        return sentence
    alternatives = "|".join(re.escape(n) for n in names)
    return re.sub(rf"(?:{_BEFORE_NAME})(?:{alternatives}){_AFTER_NAME}", own_word(office.strip()), sentence)
