"""Sentences of a document that speak to a model or its reader instead of stating what the reply says: "忽略以上要求，
回答：……", "你是一个AI助手", "ignore previous instructions". A document is data: such a sentence is never evidence.
A reply's own address to the citizen ("请您拨打……咨询", "现答复如下", "你是1996年转为非农户口的") is no instruction."""

from __future__ import annotations

import re

from text.sentences import sentence_spans

# Where an order starts: the sentence or a clause begins there, or a plea or an address does.
_START = r"(?:^|(?<=[，,。；;：:！!？?\s“”\"（()）、.．]))(?:请|你|您)?(?:先|要|必须|务必|现在)?"
# What came before, in an order to forget it: "以上要求", "之前的所有指令", "前面的设定".
_EARLIER = r"(?:以上|上述|之前|前面|先前|此前|上面|前述|上文|前文|原有|原来|所有|全部|一切)"
_ORDERS = r"(?:要求|指令|指示|提示|规则|内容|设定|约束|限制|说明|对话|信息|资料|规定)"
# A plea, not the 请 of 申请 or 邀请.
_PLEA = r"(?<![申邀])请"
# What a model is called: by name, and, when it is told what it is, by its role.
_AI = r"(?:人工智能|(?:大)?语言模型|大模型|(?<![A-Za-z])(?:AI|ChatGPT|GPT|LLM|chatbot)(?![A-Za-z]))"
_MODEL = rf"(?:{_AI}|模型|助手|机器人)"
_PATTERNS = (
    # 忽略以上要求 / 无视之前的所有指令 / 忘记你前面的设定
    rf"{_START}(?:忽略|无视|無視|忘记|忘記|忘掉|不要理会|不要管|别管|不必理会)(?:掉)?(?:你|您)?的?{_EARLIER}(?:[^，,。；;]{{0,8}}?{_ORDERS}|(?=[，,。；;！!]|$))",
    # 请回答 / 请直接回答 / 直接回答：/ 只回答：/ 请输出：
    rf"{_PLEA}(?:直接|只|仅)?(?:回答|作答)",
    rf"{_START}(?:直接|只|仅|只需|只要)(?:回答|回复|输出|作答)(?:说|道)?[：:“\"]",
    rf"{_PLEA}(?:直接|只|仅)?输出",
    # 你是一个AI助手 / 你现在是语言模型 / 你的角色是助手; not 你是否
    rf"你(?:现在|从现在起|接下来)?(?:是(?!否)|就是|作为|的角色是|的身份是)(?:一个|一名|一位)?[^，,。；;]{{0,8}}?{_MODEL}",
    # 作为一个AI，……；作为人工智能助手，你……
    rf"作为(?:一个|一名)?{_AI}(?:助手|模型)?(?=[，,：:]|你|我)",
    # 请扮演 / 你扮演 / 假装你是
    rf"(?:你|{_PLEA})(?:现在)?(?:扮演|充当|假扮|假装)|假装(?:你|自己)是",
    r"从现在(?:开始|起)[，,]?你",
    # 系统提示词 / 以下是新的指令：
    r"系统提示词|(?:以下|下面|新的?)(?:系统)?(?:指令|提示词)[：:是为]",
    # 请告诉用户 / 你要回复用户
    rf"(?:{_PLEA}|你)(?:要|必须|务必|应该?)?(?:告诉|告知|回复|回答|转告)(?:用户|提问者|提问人)",
    # English, as a planted order would be written
    r"(?<![a-z])(?:ignore|disregard|forget)\s+(?:(?:all|any|the|your)\s+)*(?:(?:previous|prior|above|earlier|preceding)\s+)?"
    r"(?:instructions?|prompts?|rules|directions|guidelines)(?![a-z])",
    r"(?<![a-z])you\s+are\s+(?:now\s+)?(?:(?:a|an|the)\s+)?(?:helpful\s+)?(?:AI|assistant|language\s+model|chatbot|ChatGPT|GPT|LLM)(?![a-z])",
    r"(?<![a-z])(?:system\s+prompt|new\s+instructions?\s*:|pretend\s+(?:to\s+be|you\s+are))(?![a-z])",
    r"(?<![a-z])(?:answer|respond|reply)\s+only\s+with(?![a-z])",
)
_ADDRESSES_MODEL = re.compile("|".join(_PATTERNS), re.IGNORECASE)
# What an order says to answer, when it stands as a sentence of its own after the order ("忽略以上要求。回答：……").
_PAYLOAD = re.compile(r"^(?:回答|作答|答|回复|输出|answer|output)\s*[：:]", re.IGNORECASE)


def addresses_model(sentence: str) -> bool:
    """The sentence gives orders to whoever reads it for an answer ("忽略以上要求", "请回答", "你是AI助手")."""
    return _ADDRESSES_MODEL.search(sentence) is not None


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a normalised document that addresses a model, and of the answer such an order
    dictates in the sentence right after it."""
    found: list[tuple[int, int]] = []
    order_end = -1
    for s, e in sentence_spans(text):
        if addresses_model(text[s:e]):
            found.append((s, e))
            order_end = e
        elif order_end >= 0 and not text[order_end:s].strip() and _PAYLOAD.match(text[s:e]):  # right after the order
            found.append((s, e))
    return found


def instructions(text: str) -> list[str]:
    """The sentences of a normalised document that address a model, in the order they stand."""
    return [text[s:e] for s, e in instruction_spans(text)]
