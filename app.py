"""Gradio chat over the indexed replies: streams the model's words, then shows the checked answer and its sources."""

from __future__ import annotations

import html
import logging
import re

import gradio as gr

from answer.citations import Citation
from answer.engine import AnswerEngine
from answer.results import Answer, Token
from index.search import Filters
from settings import Settings, load_settings
from text.dates import years as year_range

log = logging.getLogger("dafu.app")

EXAMPLES = [
    "河套合作区在跨境数据流动方面做了哪些工作？",
    "企业在高职院校设奖学金培养人才，区里最多支持多少？",
    "加装电梯的补贴标准是多少？",
]


def escape(text: str) -> str:
    """Document and model text shown as text: no HTML, no Markdown formatting."""
    return re.sub(r"([\\`*_{}\[\]()#+!|>~-])", r"\\\1", html.escape(text))


def render_citation(c: Citation) -> str:
    before, _, after = c.passage.partition(c.text) if c.text in c.passage else (c.passage, "", "")
    highlighted = f"{escape(before)}<mark>{escape(c.text)}</mark>{escape(after)}" if c.text in c.passage else escape(c.passage)
    where = " · ".join(escape(x) for x in (c.section, c.source) if x)
    return (
        f"<details><summary>[{c.n}] {escape(c.title)}</summary>\n\n"
        f"{where} · 字符 {c.start}–{c.end}\n\n{highlighted}\n\n</details>"
    )


def render_answer(answer: Answer) -> str:
    """The answer, its sources, the sentences without support, or what may be related after a refusal."""
    parts = [escape(answer.answer)]
    if answer.citations:
        parts.append("**来源**\n\n" + "\n\n".join(render_citation(c) for c in answer.citations))
    if answer.unsupported and not answer.refused:
        parts.append("**以下内容未在答复中找到依据**\n\n" + "\n".join(f"- {escape(s)}" for s in answer.unsupported))
    if answer.refused and answer.related:
        parts.append("**可能相关**\n\n" + "\n".join(f"- {escape(d['title'])}（{escape(d['source'])}）" for d in answer.related))
    return "\n\n".join(parts)


def history_pairs(history: list[dict]) -> list[tuple[str, str]]:
    """(question, answer) pairs from Gradio's message list."""
    pairs, question = [], None
    for message in history:
        content = message.get("content")
        text = content if isinstance(content, str) else str(content)
        if message.get("role") == "user":
            question = text
        elif question is not None:
            pairs.append((question, plain_answer(text)))
            question = None
    return pairs


def plain_answer(rendered: str) -> str:
    """The answer as the engine wrote it, from what render_answer showed: no sources, no escapes."""
    first = rendered.split("\n\n**", 1)[0]
    return html.unescape(re.sub(r"\\(.)", r"\1", first))


def filters_from(years: str, kind: str, office: str) -> Filters | None:
    """Search filters from the UI's fields; a year range like "2022-2024" or a single year."""
    chosen = Filters(*year_range(years), signing_office=(office or "").strip(), kind=kind or "")
    return chosen if chosen.where() else None


def build_ui(engine: AnswerEngine) -> gr.ChatInterface:
    def respond(message: str, history: list[dict], years: str = "", kind: str = "", office: str = ""):
        streamed = ""
        try:
            for event in engine.stream(message, history_pairs(history), filters_from(years, kind, office)):
                if isinstance(event, Token):
                    streamed += event.text
                    yield escape(streamed)
                elif isinstance(event, Answer):
                    yield render_answer(event)
        except Exception:  # a bad question must never take the chat down
            log.exception("failed to answer %r", message[:100])
            yield "出错了：这个问题没有得到回答，请换一种问法或缩短问题再试。"

    return gr.ChatInterface(
        respond,
        chatbot=gr.Chatbot(height=560, sanitize_html=True, render_markdown=True, label="答复通"),
        textbox=gr.Textbox(placeholder="输入问题，例如：加装电梯的补贴标准是多少？", submit_btn=True, stop_btn=True),
        title="答复通 · 建议提案答复问答",
        description="回答只依据已收录的答复文件，每句话标注来源 [n]，点开来源可看到原文段落。",
        examples=[[question, "", "", ""] for question in EXAMPLES],
        flagging_mode="never",
        additional_inputs=[
            gr.Textbox(label="年份", placeholder="如 2024 或 2022-2024"),
            gr.Dropdown(["", "代表建议", "政协提案", "群众留言"], value="", label="类型"),
            gr.Textbox(label="答复单位", placeholder="如 南湖区住房和建设局"),
        ],
        additional_inputs_accordion=gr.Accordion("筛选", open=False),
    )


def credentials(settings: Settings) -> list[tuple[str, str]] | None:
    pairs = [tuple(item.split(":", 1)) for item in settings.auth if ":" in item]
    return pairs or None


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    engine = AnswerEngine(settings)
    engine.warm_up()  # before the page opens: the first question then pays only for its own passages
    ui = build_ui(engine)
    ui.queue().launch(server_name=settings.host, server_port=settings.port, auth=credentials(settings), footer_links=[])


if __name__ == "__main__":
    main()
