"""答复通, the app: 问答 (chat with its evidence), 查找先例 (precedent search), 起草答复 (a draft reply from precedents),
文档库 (the library); and an API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from answer.draft import SUGGESTION_SUFFIXES, Drafter
from answer.engine import UNREACHABLE, AnswerEngine
from answer.results import Answer, Quoted, Retrieved, Token, Waiting
from answer.turns import QueueFull
from index.overview import FINDINGS
from index.readers import READABLE_SUFFIXES
from index.store import IndexUnavailable
from settings import Settings, load_settings
from text.kinds import KINDS
from text.suggestions import MAX_CHARS, BadSuggestion
from ui import render
from ui.api_input import draft_arguments, question_arguments, search_arguments
from ui.chat import EXAMPLES, FILTER_CHARS, Chat
from ui.documents import TABLE_HEADERS, Documents
from ui.drafting import BUSY, Drafting
from ui.overview import OverviewPage
from ui.precedents import Precedents, precedent_rows
from ui.widget_locale import chinese_widgets

log = logging.getLogger("dafu.app")

STYLE = (Path(__file__).parent / "ui" / "style.css").read_text(encoding="utf-8")
# Buttons inside the rendered HTML (chips, 查看全文, 导出 Word) tell the server what was clicked; the HTML itself runs nothing.
CLICKS = """
element.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  event.preventDefault();
  const d = target.dataset;
  trigger('click', {action: d.action, turn: d.turn || '', n: d.n || '', doc: d.doc || '', s: d.s || ''});
});
"""
SCROLL_TO_MARK = (
    CLICKS
    + """
watch('value', () => {
  const mark = element.querySelector('mark.first');
  if (mark) mark.scrollIntoView({block: 'center', behavior: 'smooth'});
});
"""
)
# The newest answer in view as it streams in.
FOLLOW_NEWEST = (
    CLICKS
    + """
watch('value', () => {
  const last = element.querySelector('.msg:last-child');
  if (last) last.scrollIntoView({block: 'end'});
});
"""
)
# Uploads and removals wait in the library's own queue (ui/build_queue.py), each watcher seeing its place: their events
# run beside every other, so that a build never holds up the table, the filter, opening a reply or a question.
LIBRARY_WATCHERS = 50
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
KIND_CHOICES = [("全部", ""), *((k, k) for k in KINDS)]


def credentials(settings: Settings) -> list[tuple[str, str]] | None:
    """The logins from settings.auth ("user:password" each); a malformed entry stops the app rather than open it."""
    pairs = []
    for number, entry in enumerate(settings.auth, 1):
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise SystemExit(f"settings auth, entry {number}: not user:password; the app does not start without a valid login")
        pairs.append((user.strip(), password))
    if not pairs and settings.host not in _LOOPBACK:
        raise SystemExit(
            f"settings host is {settings.host}: the app would be open to the network without a login; set auth, or host 127.0.0.1"
        )
    return pairs or None


def filter_fields(offices: list[str]) -> tuple[gr.Textbox, gr.Dropdown, gr.Dropdown]:
    """Year range, kind and office, chosen from what the index holds (an office may be typed in part)."""
    with gr.Row():
        years = gr.Textbox(label="年份", placeholder="如 2024、2022-2024、去年、近三年", max_length=FILTER_CHARS, scale=1)
        kind = gr.Dropdown(KIND_CHOICES, value="", label="类型", scale=1)
        office = gr.Dropdown(["", *offices], value="", label="答复单位（可输入部分名称）", allow_custom_value=True, scale=2)
    return years, kind, office


def stream_event(event: Retrieved | Quoted | Waiting | Token | Answer) -> dict:
    """One event of an answer as /ask_stream sends it."""
    if isinstance(event, Retrieved):
        return {"retrieved": event.passages}
    if isinstance(event, Quoted):
        return {"quotes": event.quotes}
    if isinstance(event, Waiting):
        return {"waiting": event.ahead}
    if isinstance(event, Token):
        return {"token": event.text}
    return {"answer": event.to_dict()}


def build_app(engine: AnswerEngine, settings: Settings) -> gr.Blocks:
    documents = Documents(settings, engine.searcher)
    chat = Chat(engine, documents)
    precedents = Precedents(settings, engine.searcher, documents)
    drafting = Drafting(Drafter.sharing(engine), documents)
    overview_page = OverviewPage(engine.searcher, documents)
    offices = engine.searcher.values("signing_office")
    ask_limit = settings.llm_parallel + settings.llm_max_waiting
    private = {"api_visibility": "private", "show_progress": "hidden"}

    # Gradio's own copies of uploads and exports: those over a day old removed hourly, all when the app stops.
    with gr.Blocks(title="答复通", analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        gr.Markdown("## 答复通 · 建议提案答复问答与先例查找")
        with gr.Tab("问答", id="chat"):
            turns = gr.State([])
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    conversation = gr.HTML(
                        render.conversation([]),
                        js_on_load=FOLLOW_NEWEST,
                        elem_id="conversation",
                        min_height=380,
                        max_height=640,
                        autoscroll=True,
                        padding=True,
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="输入问题，回车发送（Shift+回车换行），例如：加装电梯的补贴标准是多少？",
                            show_label=False,
                            lines=1,
                            max_lines=6,
                            scale=5,
                            elem_id="question",
                        )
                        with gr.Column(scale=1, min_width=120):
                            send = gr.Button("提问", variant="primary", elem_id="send")
                            stop_answer = gr.Button("停止", size="sm", elem_id="stop-answer")
                            clear = gr.Button("清空对话", size="sm", elem_id="clear")
                    gr.HTML(render.limit_note("问题", settings.max_question_chars), elem_id="question-limit")
                    with gr.Row():
                        examples = [gr.Button(q, size="sm", elem_classes=["example"]) for q in EXAMPLES]
                    with gr.Accordion("筛选", open=False):
                        years, kind, office = filter_fields(offices)
                    answer_file = gr.File(
                        label="导出的 Word 文件（点回答下方的“导出 Word”：核对稿带标注，清稿可直接发出）",
                        file_count="multiple",
                        elem_id="answer-docx",
                    )
                with gr.Column(scale=2):
                    evidence = gr.HTML(
                        render.evidence([], 0), js_on_load=CLICKS, elem_id="evidence", max_height=420, padding=True
                    )
                    viewer = gr.HTML("", js_on_load=SCROLL_TO_MARK, elem_id="viewer", max_height=520, padding=True)
            # One event however a question is asked; the chat itself runs one answer at a time in a session (ui/stops.py),
            # so that a question asked just after 停止 or 清空对话 waits for the stopped answer instead of being dropped.
            gr.on(
                [question.submit, send.click, *(b.click for b in examples)],
                chat.respond,
                [question, turns, years, kind, office],
                [conversation, evidence, question, turns, viewer],
                concurrency_limit=ask_limit,
                concurrency_id="ask",
                trigger_mode="multiple",
                **private,
            )
            stop_answer.click(chat.stop, None, None, **private)
            clear.click(chat.clear, None, [conversation, evidence, question, turns, viewer, answer_file], **private)
            conversation.click(chat.open, turns, viewer, **private)
            conversation.click(chat.export, turns, answer_file, **private)
            evidence.click(chat.open, turns, viewer, **private)

        with gr.Tab("查找先例", id="precedents"):
            found, page = gr.State([]), gr.State(0)
            query = gr.Textbox(label="关键词，或粘贴建议、提案全文", lines=3, elem_id="precedent-query")
            gr.HTML(render.limit_note("查找内容", MAX_CHARS), elem_id="precedent-query-limit")
            p_years, p_kind, p_office = filter_fields(offices)
            search = gr.Button("查找", variant="primary", elem_id="precedent-search")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    with gr.Row():
                        previous, following = gr.Button("上一页", size="sm"), gr.Button("下一页", size="sm")
                    results = gr.HTML(render.precedents([], 1, 0), js_on_load=CLICKS, elem_id="precedent-results", padding=True)
                    with gr.Row():
                        csv_file = gr.File(label="导出 CSV", elem_id="export-csv")
                        xlsx_file = gr.File(label="导出 XLSX", elem_id="export-xlsx")
                with gr.Column(scale=2):
                    p_viewer = gr.HTML("", js_on_load=SCROLL_TO_MARK, elem_id="precedent-viewer", max_height=640, padding=True)
            searching = ([query, p_years, p_kind, p_office], [results, found, page, csv_file, xlsx_file])
            for trigger in (search.click, query.submit):
                trigger(precedents.search, *searching, **private)
                trigger(lambda: "", None, p_viewer, **private)  # the last search's reply goes with it
            previous.click(lambda f, p: precedents.turn(f, p, -1), [found, page], [results, page], **private)
            following.click(lambda f, p: precedents.turn(f, p, 1), [found, page], [results, page], **private)
            results.click(precedents.open, found, p_viewer, **private)

        with gr.Tab("起草答复", id="draft"):
            progress = gr.State({})
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    suggestion = gr.Textbox(
                        label="新的建议、提案或留言（粘贴全文，或上传文件）",
                        lines=8,
                        max_lines=20,
                        elem_id="suggestion",
                    )
                    gr.HTML(render.limit_note("建议内容", MAX_CHARS), elem_id="suggestion-limit")
                    with gr.Row():
                        suggestion_file = gr.File(
                            label=f"上传（{'、'.join(SUGGESTION_SUFFIXES)}）",
                            elem_id="suggestion-file",
                            scale=2,
                        )
                        with gr.Column(scale=2):
                            d_office = gr.Dropdown(
                                ["", *offices], value="", label="承办单位（署名）", allow_custom_value=True, elem_id="d-office"
                            )
                            d_kind = gr.Dropdown([("按内容判断", ""), *((k, k) for k in KINDS)], value="", label="类型")
                            with gr.Row():
                                write = gr.Button("起草答复", variant="primary", elem_id="write-draft")
                                stop = gr.Button("停止", elem_id="stop-draft")
                    draft_view = gr.HTML(render.draft({}), js_on_load=CLICKS, elem_id="draft", padding=True)
                    draft_file = gr.File(
                        label="导出 Word（草稿写完后生成：核对稿带标注，清稿可直接发出）",
                        file_count="multiple",
                        elem_id="draft-docx",
                    )
                with gr.Column(scale=2):
                    d_sources = gr.HTML(render.evidence([], 0), js_on_load=CLICKS, elem_id="draft-sources", max_height=420)
                    d_viewer = gr.HTML("", js_on_load=SCROLL_TO_MARK, elem_id="draft-viewer", max_height=520, padding=True)
            suggestion_file.upload(drafting.read_upload, suggestion_file, suggestion, **private)
            write.click(
                drafting.write,
                [suggestion, d_office, d_kind],
                [draft_view, d_sources, progress, draft_file],
                concurrency_limit=ask_limit,
                concurrency_id="ask",
                trigger_mode="multiple",  # as the chat's: one draft at a time in a session, kept by ui/stops.py
                **private,
            )
            stop.click(drafting.stop, None, None, **private)
            draft_view.click(drafting.open, progress, d_viewer, **private)
            d_sources.click(drafting.open, progress, d_viewer, **private)

        with gr.Tab("文档库", id="library"):
            selected = gr.State("")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    contains = gr.Textbox(label="筛选（标题、单位、编号、来源中包含的文字）", elem_id="library-filter")
                    rows, caption = documents.listing()
                    table = gr.Dataframe(
                        value=rows,
                        label=caption,
                        show_label=True,
                        headers=TABLE_HEADERS,
                        wrap=True,
                        max_height=420,
                        elem_id="library-table",
                    )
                    with gr.Row():
                        remove = gr.Button("删除选中的答复", variant="stop", elem_id="remove")
                        confirm = gr.Button("确认删除", variant="stop", visible=False, elem_id="confirm-remove")
                    removed = gr.Textbox(label="删除结果", interactive=False, elem_id="removed")
                    # No file_types: the browser's own refusal is an English toast; check_upload names the file in Chinese.
                    upload = gr.File(
                        label=f"上传答复（{'、'.join(READABLE_SUFFIXES)}，每个不超过 {settings.max_file_mb:g} MB）",
                        file_count="multiple",
                        elem_id="upload",
                    )
                    add = gr.Button("收录上传的文件", variant="primary", elem_id="add")
                    build_status = gr.HTML("", elem_id="build-status")
                    added = gr.Textbox(label="收录结果", interactive=False, lines=3, elem_id="added")
                    history = gr.HTML(documents.history(), elem_id="build-history", padding=True)
                with gr.Column(scale=2):
                    l_viewer = gr.HTML("", elem_id="library-viewer", max_height=720, padding=True)

            def pick(rows: list, event: gr.SelectData) -> tuple[str, str, gr.Button]:
                doc_id = str(event.row_value[-1]) if event.row_value else ""
                return doc_id, documents.view(doc_id) if doc_id else "", gr.Button(visible=False)

            def check_upload(files: list[str] | None) -> list[str] | None:
                """The files chosen, less those the library cannot take, each named in a warning."""
                refused = documents.unreadable(files or [])
                for problem in refused.values():
                    gr.Warning(render.esc(problem), title="无法收录")
                return [f for f in files or [] if f not in refused] or None

            def library_table(contains: str = "") -> gr.Dataframe:
                """The library's rows for the filter, under a line saying which they are."""
                rows, caption = documents.listing(contains)
                return gr.Dataframe(value=rows, label=caption)

            def add_files(files: list[str] | None, contains: str, request: gr.Request) -> Iterator[tuple]:
                """The status line while the upload waits and builds (the table again as batches become searchable),
                then what happened, the table, the history; the selection stays until the build is over."""
                shown = 0
                for upload in documents.add(files or [], request.username or ""):
                    if not upload.finished:
                        table_now = library_table(contains) if upload.searchable > shown else gr.skip()
                        shown = upload.searchable
                        yield upload.status, "", table_now, *(gr.skip(),) * 5
                        continue
                    offices = gr.Dropdown(choices=["", *documents.offices()])
                    yield "", upload.message, library_table(contains), documents.history(), None, offices, offices, offices

            def remove_selected(doc_id: str, contains: str) -> Iterator[tuple]:
                said = ""
                for said in documents.remove(doc_id):
                    yield said, gr.skip(), gr.skip(), gr.skip(), gr.Button(visible=False)
                yield said, library_table(contains), "", "", gr.Button(visible=False)

            contains.change(library_table, contains, table, **private)
            table.select(pick, table, [selected, l_viewer, confirm], **private)

            def ask_to_confirm(doc_id: str) -> tuple:
                return gr.Button(visible=bool(doc_id)), "" if doc_id else "请先在表中选中一件答复。"

            queued = {"concurrency_id": "library", "concurrency_limit": LIBRARY_WATCHERS, **private}
            upload.upload(check_upload, upload, upload, **private)
            remove.click(ask_to_confirm, selected, [confirm, removed], **private)
            confirm.click(remove_selected, [selected, contains], [removed, table, selected, l_viewer, confirm], **queued)
            add.click(
                add_files,
                [upload, contains],
                [build_status, added, table, history, upload, office, p_office, d_office],
                **queued,
            )

        with gr.Tab("概览", id="overview") as overview_tab:
            o_years, o_kind, o_office = filter_fields(offices)
            with gr.Row():
                show = gr.Button("统计", variant="primary", elem_id="overview-show")
                export = gr.Button("导出全部表格（CSV、XLSX）", elem_id="overview-export")
            o_summary = gr.HTML('<div class="empty">打开本页或点“统计”，汇总索引中的全部答复。</div>', elem_id="overview-summary")
            with gr.Row():
                by_month = gr.BarPlot(x="月份", y="件数", x_label_angle=-45, height=260)
                by_kind = gr.BarPlot(x="类型", y="件数", height=260)
            with gr.Row():
                by_office = gr.BarPlot(x="答复单位", y="件数", sort="-y", x_label_angle=-45, height=300)
                topic_trend = gr.LinePlot(x="月份", y="件数", color="话题", x_label_angle=-45, height=300)
            gr.Markdown("**主要话题**（点击一行，列出它的答复）")
            topic_table = gr.Dataframe(wrap=True, max_height=360, interactive=False, elem_id="overview-topics")
            gr.Markdown("**热点问题**：同一地点、同一事项在短时间内的集中反映")
            hot_table = gr.Dataframe(wrap=True, max_height=300, interactive=False, elem_id="overview-hot")
            gr.Markdown("**答复单位**：件数、话题与回复质量")
            office_table = gr.Dataframe(wrap=True, max_height=360, interactive=False, elem_id="overview-offices")
            with gr.Row():
                gr.Markdown("**列出答复**：")
                finding_buttons = {
                    key: gr.Button(label, size="sm", elem_id=f"finding-{key}") for key, (label, _) in FINDINGS.items()
                }
            overview_files = gr.File(label="导出的表格", file_count="multiple", height=120, elem_id="overview-files")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    listing = gr.HTML("", js_on_load=CLICKS, elem_id="overview-listing", max_height=640, padding=True)
                with gr.Column(scale=2):
                    o_viewer = gr.HTML("", elem_id="overview-viewer", max_height=640, padding=True)
            chosen, drawn = [o_years, o_kind, o_office], gr.State(None)
            shown = [o_summary, by_month, by_kind, by_office, topic_trend, topic_table, hot_table, office_table, listing, drawn]
            for trigger in (overview_tab.select, show.click):
                trigger(overview_page.show, chosen, shown, concurrency_id="overview", **private)
            export.click(overview_page.export, drawn, overview_files, **private)
            for which, table_shown in (("主要话题", topic_table), ("热点问题", hot_table), ("答复单位", office_table)):
                table_shown.select(overview_page.lister(which), drawn, [listing, o_viewer], **private)
            for key, button in finding_buttons.items():
                button.click(overview_page.finder(key), drawn, [listing, o_viewer], **private)
            listing.click(overview_page.open, None, o_viewer, **private)

        def refresh() -> tuple:
            choices = gr.Dropdown(choices=["", *engine.searcher.values("signing_office")])
            return choices, choices, choices, choices, library_table(), documents.history()

        app.load(refresh, None, [office, p_office, d_office, o_office, table, history], **private)

        # Every argument has a default, so that a call missing one reaches ui/api_input and is told which, in Chinese.
        def ask(
            question: str | None = None, history: list[list[str]] | None = None, years: str = "", kind: str = "", office: str = ""
        ) -> dict:
            """Ask one question; the same JSON as python -m answer --json. Each call stands alone: pass the conversation
            so far as [[question, answer], …] in history for a follow-up."""
            return engine.ask(*question_arguments(question, history, years, kind, office)).to_dict()

        def search_precedents(
            query: str | None = None, k: int = 10, years: str = "", kind: str = "", office: str = ""
        ) -> list[dict]:
            """Earlier replies on a subject, best first; the same JSON as python -m index search --docs --json."""
            arguments = search_arguments(query, k, years, kind, office)
            try:
                return precedent_rows(engine.searcher, *arguments)
            except IndexUnavailable:
                raise gr.Error(UNREACHABLE) from None

        def ask_stream(
            question: str | None = None, history: list[list[str]] | None = None, years: str = "", kind: str = "", office: str = ""
        ) -> Iterator[dict]:
            """Ask one question and follow the answer as it comes: {"retrieved": [passages]}, {"quotes": [the reply's
            sentences that answer]}, {"waiting": people ahead}, {"token": text}, then {"answer": the same JSON as /ask}."""
            for event in engine.stream(*question_arguments(question, history, years, kind, office)):
                yield stream_event(event)

        def draft(suggestion: str | None = None, office: str = "", kind: str = "") -> dict:
            """Draft a reply to a suggestion from precedents; the same JSON as python -m answer draft --json."""
            try:
                return drafting.drafter.draft(*draft_arguments(suggestion, office, kind)).to_dict()
            except BadSuggestion as error:
                raise gr.Error(str(error)) from None
            except QueueFull:
                raise gr.Error(BUSY) from None
            except IndexUnavailable:
                raise gr.Error(UNREACHABLE) from None

        gr.api(ask, api_name="ask", concurrency_limit=ask_limit, concurrency_id="ask")
        gr.api(draft, api_name="draft", concurrency_limit=ask_limit, concurrency_id="ask")
        gr.api(ask_stream, api_name="ask_stream", concurrency_limit=ask_limit, concurrency_id="ask")
        gr.api(search_precedents, api_name="search_precedents", concurrency_limit=4)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    auth = credentials(settings)  # before anything loads: a bad login setting must never open the app
    try:
        engine = AnswerEngine(settings)
        Documents(settings, engine.searcher).finish_interrupted()  # uploads and removals a stopped app left half done
        engine.warm_up()  # before the page opens: the first question then pays only for its own passages
    except IndexUnavailable as error:
        raise SystemExit(f"error: {error}") from None
    app = build_app(engine, settings)
    app.queue(default_concurrency_limit=4, max_size=4 * (settings.llm_parallel + settings.llm_max_waiting), api_open=False)
    app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth,
        max_file_size=f"{settings.max_file_mb:g}mb",
        footer_links=["api"],
        i18n=chinese_widgets(),
        css=STYLE,
        ssr_mode=False,
        enable_monitoring=False,
        show_error=False,
    )


if __name__ == "__main__":
    main()
