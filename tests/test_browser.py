"""The app as people use it, in headless Chromium (Playwright driving Debian's /usr/bin/chromium): ask and watch the
evidence then the answer come in, open a citation, follow up, search precedents and export them, upload and remove a
reply, log in, and two people asking at once. Screenshots go to tests/screenshots/."""

from __future__ import annotations

import csv
import re
import shutil
import threading
import time
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect, sync_playwright

from eval.app_process import running_app
from tests.conftest import teddy_slice
from tests.examples import (
    CROSS_BORDER,
    ELEVATOR_SUBSIDY,
    HONG_KONG_FOLLOW_UP,
    OFFICE,
    PARKING,
    PARKING_POINTS,
    PLATFORMS,
    SCHOLARSHIP,
    UNCOVERED,
)

pytestmark = [pytest.mark.browser, pytest.mark.llm]
SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's hosts from a machine with no network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER = "#conversation .bubble.answer, #conversation .bubble.refusal"
ANSWERED = "#conversation .bubble.answer"  # an answer with its sources, not a refusal, a full queue or an error
SLOW = 180_000  # ms: an answer on 2 cores while other tests share them


@pytest.fixture(scope="module")
def app_data(corpus_settings, corpus_store, tmp_path_factory) -> Path:
    """A copy of the corpus index for the app, so that uploads and removals touch no other test."""
    data_dir = tmp_path_factory.mktemp("app-index")
    shutil.copytree(corpus_settings.data_dir, data_dir, dirs_exist_ok=True)
    # An upload copied in by an app stopped before it was indexed: the app finishes it when it starts.
    (data_dir / "uploads").mkdir()
    (data_dir / "uploads" / "图书馆开放答复.txt").write_text(
        "关于延长区图书馆周末开放时间的答复\n\n尊敬的李华代表：\n\n您提出的建议收悉。区文化体育局决定自2025年9月1日起，"
        "区图书馆周六、周日开放至晚上九点。\n\n区文化体育局\n\n2025年8月20日\n",
        encoding="utf-8",
    )
    return data_dir


@pytest.fixture(scope="module")
def app_url(app_data):
    data_dir = app_data
    with running_app({"DAFU_DATA_DIR": str(data_dir), "DAFU_UPLOAD_DIR": str(data_dir / "uploads")}) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium at /usr/bin/chromium (./test.sh installs it)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    opened.goto(app_url)
    expect(opened.locator("#question textarea")).to_be_visible(timeout=60_000)
    yield opened
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()


def test_evidence_comes_first_then_the_replys_words_then_a_summary_whose_chips_open_the_passage(page):
    asked = time.monotonic()
    ask(page, SCHOLARSHIP)
    expect(page.locator("#evidence .passage").first).to_be_visible(timeout=10_000)
    evidence_after = time.monotonic() - asked
    original = page.locator("#conversation .bubble.pending .quotes")  # 答复原文 while the summary is still to come
    expect(original).to_be_visible(timeout=SLOW)
    quoted_after = time.monotonic() - asked
    assert "50万元" in original.inner_text()
    shot(page, "chat-original-before-summary")
    answer = page.locator(ANSWER).first
    expect(answer).to_be_visible(timeout=SLOW)
    answered_after = time.monotonic() - asked
    shot(page, "chat-answer")
    assert "答复原文" in answer.inner_text() and "摘要" in answer.inner_text() and "50万元" in answer.inner_text()
    assert evidence_after < 5, f"the passages took {evidence_after:.1f} s to appear"
    assert quoted_after < answered_after
    answer.locator("button.chip").first.click()
    cited = page.locator("#viewer mark.cited")
    expect(cited.first).to_be_visible(timeout=10_000)
    assert "50万元" in cited.first.inner_text()
    time.sleep(1)  # the viewer scrolls smoothly to the cited span
    in_view = cited.first.evaluate(
        "m => { const v = document.querySelector('#viewer').getBoundingClientRect(), r = m.getBoundingClientRect();"
        " return r.top >= v.top - 1 && r.bottom <= v.bottom + 1 && r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    assert in_view, "the cited span is scrolled into view"
    assert "科技创新局" in page.locator("#viewer").inner_text() or "科创局" in page.locator("#viewer").inner_text()
    shot(page, "chat-citation-opened")
    answer.locator("button.export").click()
    checking = downloaded(page, "#answer-docx")[0]
    paragraphs = [p.text for p in checking.paragraphs]
    assert paragraphs[0] == f"关于“{SCHOLARSHIP}”的回答"
    assert paragraphs[1] == "答复原文" and "50万元" in paragraphs[2] and "资料来源" in paragraphs


def downloaded(page, files: str) -> tuple[docx.document.Document, docx.document.Document]:
    """The two Word files an export offers, downloaded as a user would: the 核对稿 and the 清稿."""
    expect(page.locator(f"{files} a")).to_have_count(2, timeout=30_000)
    copies = []
    for copy in ("核对稿", "清稿"):
        with page.expect_download() as download:
            page.locator(f"{files} tr", has_text=copy).locator("a").click()  # the row names the file, its link downloads it
        assert download.value.suggested_filename.startswith(f"{copy}《"), download.value.suggested_filename
        copies.append(docx.Document(download.value.path()))
    return copies[0], copies[1]


def test_any_answer_of_the_conversation_exports_to_word_as_a_checking_and_a_clean_copy(page):
    first = SCHOLARSHIP
    ask(page, first)
    expect(page.locator(ANSWER).first).to_be_visible(timeout=SLOW)
    ask(page, PLATFORMS)
    expect(page.locator(ANSWER).nth(1)).to_be_visible(timeout=SLOW)
    assert page.locator(ANSWERED).count() == 2, "both questions are answered from the corpus"
    expect(page.locator(f"{ANSWERED} button.export")).to_have_count(2)
    page.locator(ANSWERED).first.locator("button.export").click()
    checking, clean = downloaded(page, "#answer-docx")
    shot(page, "chat-export-first-answer")
    for document in (checking, clean):
        said = [p.text for p in document.paragraphs]
        assert said[0] == f"关于“{first}”的回答", "the first question's answer, not the latest"
        assert "50万元" in "".join(said)
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), "A4"
    checked, sent = [p.text for p in checking.paragraphs], [p.text for p in clean.paragraphs]
    assert re.search(r"\[\d+\]", "".join(checked)) and "资料来源" in checked
    assert not re.search(r"\[\d+\]", "".join(sent)), "the clean copy has no [n]"
    assert "附件：资料来源" in sent and sent[sent.index("附件") + 1] == "资料来源"


def test_a_follow_up_in_the_page_is_read_with_the_conversation(page):
    ask(page, PLATFORMS)
    expect(page.locator(ANSWER).first).to_be_visible(timeout=SLOW)
    ask(page, HONG_KONG_FOLLOW_UP)
    expect(page.locator(ANSWER).nth(1)).to_be_visible(timeout=SLOW)
    second = page.locator(ANSWER).nth(1).inner_text()
    shot(page, "chat-follow-up")
    assert any(name in second for name in ("香港大学", "香港中文大学", "香港科技大学")), second


def test_clearing_while_the_answer_streams_frees_the_model_and_the_next_question_is_answered_alone(page):
    ask(page, CROSS_BORDER)  # a list: its summary streams for seconds, where a one-figure answer is over at once
    expect(page.locator("#conversation .bubble.pending .streamed")).to_be_visible(timeout=SLOW)  # the model writing
    shot(page, "chat-streaming-before-clear")
    page.locator("#clear").click()
    expect(page.locator("#conversation .msg")).to_have_count(0, timeout=5_000)
    expect(page.locator("#evidence .passage")).to_have_count(0)
    shot(page, "chat-cleared-while-streaming")
    asked = time.monotonic()
    ask(page, "河套合作区布局了哪些科研平台？")  # at once: it waits for the cleared answer to let go of the model
    expect(page.locator(ANSWERED)).to_have_count(1, timeout=SLOW)
    answered_after = time.monotonic() - asked
    shot(page, "chat-answered-after-clear")
    users = page.locator("#conversation .msg.user")
    expect(users).to_have_count(1)
    expect(users.first).to_have_text("河套合作区布局了哪些科研平台？")
    assert CROSS_BORDER not in page.locator("#conversation").inner_text(), "nothing of the cleared turn came back"
    assert page.locator("#conversation .bubble.pending, #conversation .bubble.stopped").count() == 0
    assert answered_after < SLOW / 1000 / 2, f"the next answer took {answered_after:.0f} s: the model was held"


def test_stopping_while_the_model_reads_keeps_the_replys_words_and_the_next_question_is_answered(page):
    ask(page, "企业在高职院校设奖学金培养人才，区里最多支持多少？")
    expect(page.locator("#conversation .bubble.pending .quotes")).to_be_visible(timeout=SLOW)  # before the model's words
    page.locator("#stop-answer").click()
    ask(page, "河套合作区布局了哪些科研平台？")  # at once: it waits for the stopped answer instead of being dropped
    stopped = page.locator("#conversation .bubble.stopped")
    expect(stopped).to_contain_text("已停止回答", timeout=SLOW)
    assert "50万元" in stopped.inner_text(), "the reply's own sentences shown before the stop stay"
    expect(page.locator(ANSWERED)).to_have_count(1, timeout=SLOW)
    expect(page.locator("#conversation .msg.user")).to_have_count(2)
    assert page.locator("#conversation .bubble.pending").count() == 0
    assert page.locator("#question textarea").input_value() == "", "the second question was asked, not left in the box"
    shot(page, "chat-stopped-then-answered")
    stopped.scroll_into_view_if_needed()  # the conversation follows the newest answer: back up to the stopped one
    time.sleep(0.5)
    shot(page, "chat-stopped-turn")
    page.locator("#stop-answer").click()  # nothing running: nothing happens
    time.sleep(1)
    expect(page.locator(ANSWERED)).to_have_count(1)
    expect(page.locator("#conversation .msg.user")).to_have_count(2)


def test_the_users_own_message_is_shown_as_text(page):
    typed = "<img src=x onerror=alert(1)> [链接](http://example.com) $$x^2$$ **粗体** it's"
    ask(page, typed)
    bubble = page.locator("#conversation .msg.user .bubble").first
    expect(bubble).to_have_text(typed, timeout=10_000)
    expect(page.locator(ANSWER).first).to_be_visible(timeout=SLOW)
    assert page.locator("#conversation img").count() == 0
    assert page.locator("#conversation a").count() == 0
    shot(page, "chat-escaped")


def test_an_empty_message_adds_no_bubble(page):
    page.locator("#question textarea").fill("   ")
    page.locator("#send").click()
    time.sleep(1.5)
    assert page.locator("#conversation .msg").count() == 0


def test_precedent_search_lists_replies_opens_one_and_exports_them(page):
    page.get_by_role("tab", name="查找先例").click()
    page.locator("#precedent-query textarea").fill("加装电梯补贴")
    page.locator("#precedent-search").click()
    results = page.locator("#precedent-results .passage")
    expect(results.first).to_be_visible(timeout=30_000)
    assert "电梯" in results.first.inner_text()
    assert page.locator("#precedent-results mark").count() > 0
    results.first.locator("button.open").click()
    expect(page.locator("#precedent-viewer .doc-text")).to_contain_text("电梯", timeout=10_000)
    shot(page, "precedents")
    with page.expect_download() as download:
        page.locator("#export-csv a").first.click()
    path = download.value.path()
    rows = list(csv.reader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["排名", "标题", "类型"] and "电梯" in rows[1][1] + rows[1][6]
    assert page.locator("#export-xlsx a").count() > 0


def test_an_upload_a_stopped_app_left_unfinished_is_indexed_when_it_starts_and_said(page):
    page.get_by_role("tab", name="文档库").click()
    expect(page.locator("#build-history")).to_contain_text("启动时续完了上次中断的上传：图书馆开放答复.txt", timeout=10_000)
    expect(page.locator("#library-table")).to_contain_text("关于延长区图书馆周末开放时间的答复")
    shot(page, "library-finished-at-start")


def test_an_uploaded_reply_is_answerable_and_can_be_removed(page, tmp_path, app_data):
    reply = tmp_path / "游泳馆开放答复.txt"
    reply.write_text(
        "关于延长区游泳馆开放时间的答复\n\n尊敬的王明代表：\n\n您提出的建议收悉。区文体局决定自2025年7月1日起，"
        "区游泳馆暑期每天开放至晚上十点，学生凭学生证享受半价优惠，每张票15元。\n\n<script>alert('x')</script>\n\n"
        "区文化体育局\n\n2025年6月20日\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="文档库").click()
    page.locator("#upload input[type=file]").set_input_files(str(reply))
    page.locator("#add").click()
    expect(page.locator("#added textarea")).to_have_value(__import__("re").compile("已收录 1 件新答复"), timeout=SLOW)
    shot(page, "library-uploaded")
    row = page.locator("#library-table").get_by_text("关于延长区游泳馆开放时间的答复").first
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    viewer = page.locator("#library-viewer")
    expect(viewer).to_contain_text("<script>alert('x')</script>", timeout=10_000)  # shown as the characters it is
    time.sleep(2.5)  # the searcher looks for a changed index at most every two seconds
    page.get_by_role("tab", name="问答").click()
    ask(page, "区游泳馆暑期开放到几点？学生票多少钱？")
    answer = page.locator(ANSWER).first
    expect(answer).to_be_visible(timeout=SLOW)
    assert "15元" in answer.inner_text() or "十点" in answer.inner_text(), answer.inner_text()
    page.get_by_role("tab", name="文档库").click()
    row.click()
    page.locator("#remove").click()
    page.locator("#confirm-remove").click()
    expect(page.locator("#library-table")).not_to_contain_text("关于延长区游泳馆开放时间的答复", timeout=30_000)
    assert not list((Path(app_data) / "uploads").glob("游泳馆开放答复*")), "the uploaded copy goes with the reply"


def test_two_people_asking_at_once_both_get_answers(browser, app_url):
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        opened = context.new_page()
        opened.goto(app_url)
        expect(opened.locator("#question textarea")).to_be_visible(timeout=60_000)
        pages.append(opened)
    ask(pages[0], ELEVATOR_SUBSIDY)
    ask(pages[1], CROSS_BORDER)
    for opened in pages:
        expect(opened.locator(ANSWERED).first).to_be_visible(timeout=2 * SLOW)
        assert opened.locator("#conversation button.chip").count() > 0
    shot(pages[1], "two-at-once")
    for opened in pages:
        opened.context.close()


def test_the_api_and_the_browser_share_one_model(browser, app_url):
    """A browser and an API call at once go through one line to the one model, and both are answered."""
    from gradio_client import Client

    results: list[dict] = []
    client = Client(app_url, verbose=False)
    calling = threading.Thread(target=lambda: results.append(client.predict(ELEVATOR_SUBSIDY, api_name="/ask")))
    opened = browser.new_context().new_page()
    opened.goto(app_url)
    expect(opened.locator("#question textarea")).to_be_visible(timeout=60_000)
    ask(opened, PLATFORMS)
    calling.start()
    expect(opened.locator(ANSWERED).first).to_be_visible(timeout=2 * SLOW)
    calling.join(timeout=2 * SLOW / 1000)
    assert results and not results[0]["refused"] and results[0]["citations"], results
    unrelated = client.predict(SCHOLARSHIP, api_name="/ask")
    assert unrelated["search_query"] == unrelated["question"], "a call without history stands alone"
    opened.context.close()


def test_a_login_is_required_when_set_and_a_malformed_one_stops_the_app(browser, corpus_settings, tmp_path):
    import subprocess
    import sys

    from settings import PROJECT_ROOT

    bad = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DAFU_AUTH": '["nopassword"]', "DAFU_DATA_DIR": str(tmp_path)},
    )
    assert bad.returncode != 0 and "user:password" in bad.stderr
    data_dir = tmp_path / "index"
    shutil.copytree(corpus_settings.data_dir, data_dir)
    with running_app({"DAFU_DATA_DIR": str(data_dir), "DAFU_AUTH": '["staff:s3cret"]'}) as (url, _):
        opened = browser.new_context().new_page()
        opened.goto(url)
        opened.get_by_label("username").fill("staff")
        opened.get_by_label("password").fill("wrong")
        opened.get_by_role("button", name="Login").click()
        time.sleep(1)
        assert opened.locator("#question").count() == 0
        shot(opened, "login-refused")
        expect(opened.get_by_text("Incorrect Credentials")).to_be_visible()
        opened.get_by_label("username").fill("staff")
        opened.get_by_label("password").fill("s3cret")
        opened.get_by_role("button", name="Login").click()
        expect(opened.locator("#question textarea")).to_be_visible(timeout=60_000)


def test_a_suggestion_uploaded_as_word_is_drafted_section_by_section_and_exported(page, tmp_path):
    suggestion = docx.Document()
    for line in (
        "关于加大老旧小区加装电梯支持力度的建议",
        "我区老旧小区加装电梯仍存在补贴偏低、审批繁琐等问题。为此，建议：",
        "一、提高加装电梯财政补贴标准。",
        "二、对新能源汽车充电桩建设给予补贴。",
    ):
        suggestion.add_paragraph(line)
    suggestion.save(str(tmp_path / "建议.docx"))
    page.get_by_role("tab", name="起草答复").click()
    page.locator("#suggestion-file input[type=file]").set_input_files(str(tmp_path / "建议.docx"))
    expect(page.locator("#suggestion textarea")).to_have_value(re.compile("提高加装电梯财政补贴标准"), timeout=30_000)
    page.locator("#d-office input").fill(OFFICE)
    page.locator("#d-office input").press("Enter")
    started = time.monotonic()
    page.locator("#write-draft").click()
    expect(page.locator("#draft ol.points li")).to_have_count(2, timeout=30_000)
    points_after = time.monotonic() - started
    expect(page.locator("#draft .section.point").first).to_be_visible(timeout=SLOW)
    first_section_after = time.monotonic() - started
    shot(page, "draft-first-section")
    expect(page.locator("#draft-docx a").first).to_be_visible(timeout=SLOW)
    shot(page, "draft-done")
    print(f"points after {points_after:.1f} s, first section after {first_section_after:.1f} s")
    assert points_after < 15, "the points and their precedents come before the model writes"
    sections = page.locator("#draft .section.point")
    expect(sections).to_have_count(2)
    assert "【待补充" in sections.nth(1).inner_text() and "充电桩" in sections.nth(1).inner_text()
    assert "尊敬的【代表姓名】代表" in page.locator("#draft").inner_text()
    chip = sections.nth(0).locator("button.chip")
    assert chip.count() > 0, "the elevator point is answered from the corpus, with citations"
    chip.first.click()
    expect(page.locator("#draft-viewer mark.cited").first).to_be_visible(timeout=10_000)
    assert "电梯" in page.locator("#draft-viewer").inner_text()
    shot(page, "draft-citation-opened")
    checking, clean = downloaded(page, "#draft-docx")
    paragraphs = [p.text for p in checking.paragraphs]
    assert paragraphs[0].startswith(f"{OFFICE}关于") and "资料来源" in paragraphs
    sent = [p.text for p in clean.paragraphs]
    assert sent[0] == paragraphs[0] and not re.search(r"\[\d+\]", "".join(sent)) and "附件" in sent
    assert any(p.startswith("【待补充") and "充电桩" in p for p in sent), "the placeholder stays in the copy to send"


# Suggestions as clerks paste them: (text, greeting the draft opens with, the points read).
PASTED = [
    (PARKING, "尊敬的【代表姓名】代表", PARKING_POINTS),
    (
        "关于增加公交线路的提案\n1.增开城北至高铁站的公交线路。\n2.延长末班车时间。\n3.优化站点设置。",
        "尊敬的【委员姓名】委员",
        ["增开城北至高铁站的公交线路", "延长末班车时间", "优化站点设置"],
    ),
    (
        "关于校园食品安全的提案\n学校食堂食品安全关系学生健康。为此建议：一是加强食材采购查验；二是推行明厨亮灶。",
        "尊敬的【委员姓名】委员",
        ["加强食材采购查验", "推行明厨亮灶"],
    ),
    (
        "关于发展夜间经济的建议\n近年来夜间消费增长较快。建议：\n（一）延长公交运营时间。\n（二）规范外摆经营。",
        "尊敬的【代表姓名】代表",
        ["延长公交运营时间", "规范外摆经营"],
    ),
    (
        "关于养老服务的建议\n建议如下：①加强养老机构监管；②加大居家养老投入。",
        "尊敬的【代表姓名】代表",
        ["加强养老机构监管", "加大居家养老投入"],
    ),
    (
        "市长您好：\n小区门口的路灯坏了很久，希望尽快修好。另外希望加装监控。",
        "【网友昵称】网友：您好！",
        ["小区门口的路灯坏了很久，希望尽快修好", "另外希望加装监控"],
    ),
]


def test_suggestions_pasted_in_six_layouts_each_give_every_point_and_their_kind(page):
    """Each layout's points are listed within seconds, before the model writes; 停止 ends the draft there."""
    page.get_by_role("tab", name="起草答复").click()
    for text, greeting, labels in PASTED:
        page.locator("#suggestion textarea").fill(text)
        page.locator("#write-draft").click()
        points = page.locator("#draft ol.points li")
        expect(points.first).to_contain_text(labels[0], timeout=30_000)  # this suggestion's points, not the last one's
        expect(points).to_have_count(len(labels))
        for n, label in enumerate(labels):
            expect(points.nth(n)).to_contain_text(label)
        assert greeting in page.locator("#draft").inner_text()
        page.locator("#stop-draft").click()
        # Stopped at the model's next word; a suggestion no precedent speaks to is done before it can be stopped.
        expect(page.locator("#draft")).to_contain_text(re.compile("已停止起草|下一步工作"), timeout=SLOW)
        expect(page.locator("#draft .section.pending")).to_have_count(0)
    shot(page, "draft-pasted-layouts")


def marked_paragraph(page, viewer: str) -> tuple[str, str]:
    """The first marked span in a viewer, and the paragraph of the reply it sits in."""
    mark = page.locator(f"{viewer} mark.cited").first
    expect(mark).to_be_visible(timeout=10_000)
    marked = mark.inner_text()
    paragraph = next(p for p in page.locator(f"{viewer} .doc-text").inner_text().split("\n") if marked[:12] in p)
    return marked, paragraph


def test_a_precedent_shows_its_substance_with_its_best_sentence_marked_and_a_new_search_clears_it(page):
    page.get_by_role("tab", name="查找先例").click()
    expect(page.locator("#precedent-query-limit")).to_contain_text("20000")
    page.locator("#precedent-query textarea").fill("关于发展夜间经济、打造特色步行街区的建议")
    page.locator("#precedent-search").click()
    first = page.locator("#precedent-results .passage").first
    expect(first).to_contain_text("夜间经济", timeout=30_000)
    shown = first.locator(".text").all_inner_texts()
    assert not any("尊敬的" in t or "感谢" in t for t in shown), shown  # the greeting scores best; its substance is shown
    first.locator("button.open").click()
    marked, paragraph = marked_paragraph(page, "#precedent-viewer")
    shaded = page.locator("#precedent-viewer .passage-shade").first.inner_text()
    assert marked in shaded and len(marked) < len(shaded) and "尊敬的" not in marked
    assert marked.count("。") <= 1 and len(marked) < len(paragraph)
    time.sleep(1)  # the viewer scrolls smoothly to the mark
    shot(page, "precedent-best-sentence")
    page.locator("#precedent-query textarea").fill("加" * 20_001)
    page.locator("#precedent-search").click()
    expect(page.locator("#precedent-results .notice")).to_contain_text("没有查找", timeout=10_000)
    expect(page.locator("#precedent-viewer .document")).to_have_count(0, timeout=10_000)
    assert len(page.locator("#precedent-query textarea").input_value()) == 20_001  # kept whole, not cut
    shot(page, "precedent-query-too-long")


def test_a_chip_marks_one_sentence_a_new_question_clears_the_viewer_and_a_too_long_question_is_told(page):
    expect(page.locator("#question-limit")).to_contain_text("不会自动截断")
    page.locator("#question textarea").fill("问" * 601)
    assert len(page.locator("#question textarea").input_value()) == 601  # the box cuts nothing
    page.locator("#send").click()
    expect(page.get_by_text("没有提交").first).to_be_visible(timeout=10_000)
    assert page.locator("#conversation .msg").count() == 0
    assert len(page.locator("#question textarea").input_value()) == 601  # left for the user to shorten
    time.sleep(0.5)  # the toast slides in
    heading = page.locator(".toast-title").first.evaluate("e => getComputedStyle(e, '::after').content")
    assert heading == '"注意"', "the toast is headed in Chinese, not Gradio's Warning"
    shot(page, "question-too-long")
    ask(page, SCHOLARSHIP)
    answer = page.locator(ANSWERED).first
    expect(answer).to_be_visible(timeout=SLOW)
    chips = answer.locator(".summary button.chip")
    (chips if chips.count() else answer.locator("button.chip")).first.click()
    marked, paragraph = marked_paragraph(page, "#viewer")
    assert "50万元" in marked and marked.count("。") <= 1 and len(marked) < len(paragraph), (marked, paragraph)
    time.sleep(1)  # the viewer scrolls smoothly to the mark
    shot(page, "chat-chip-one-sentence")
    ask(page, UNCOVERED)
    expect(page.locator("#viewer .document")).to_have_count(0, timeout=10_000)
    shot(page, "chat-viewer-cleared")


def test_a_real_export_is_imported_with_chinese_progress_while_the_library_stays_usable_and_a_second_upload_queues(
    browser, app_url, app_data, tmp_path
):
    export = tmp_path / "teddy前40行.xlsx"
    teddy_slice(export, 40)
    reply = tmp_path / "体育馆开放答复.txt"
    reply.write_text(
        "关于延长区体育馆夜间开放的答复\n\n尊敬的赵敏代表：\n\n您提出的建议收悉。区文化体育局决定自2025年10月1日起，"
        "区体育馆每周二至周日夜间开放至十点。\n\n区文化体育局\n\n2025年9月10日\n",
        encoding="utf-8",
    )
    clerks = []
    for _ in range(2):  # two clerks, their browsers in English: the widgets are Chinese all the same
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US")
        opened = context.new_page()
        opened.goto(app_url)
        opened.get_by_role("tab", name="文档库").click()
        expect(opened.locator("#upload")).to_contain_text("将文件拖放到此处", timeout=60_000)
        clerks.append(opened)
    first, second = clerks
    assert "Drop File" not in first.locator("#upload").inner_text() and "点击上传" in first.locator("#upload").inner_text()

    (tmp_path / "说明.zip").write_bytes(b"PK\x03\x04")
    first.locator("#upload input[type=file]").set_input_files(str(tmp_path / "说明.zip"))
    expect(first.get_by_text("说明.zip：不支持的文件类型").first).to_be_visible(timeout=20_000)  # named, in Chinese

    first.locator("#upload input[type=file]").set_input_files(str(export))
    expect(first.locator("#upload")).to_contain_text("teddy前40行", timeout=20_000)
    second.locator("#upload input[type=file]").set_input_files(str(reply))
    expect(second.locator("#upload")).to_contain_text("体育馆开放答复", timeout=20_000)
    first.locator("#add").click()
    status = first.locator("#build-status")
    expect(status).to_contain_text(re.compile(r"正在(读取文件|收录|开始)"), timeout=30_000)
    second.locator("#add").click()
    expect(second.locator("#build-status")).to_contain_text("排在第 2 位，前面还有 1 个收录任务", timeout=30_000)
    expect(second.locator("#upload")).to_contain_text("体育馆开放答复")  # the selection is kept while it waits
    expect(status).to_contain_text(re.compile(r"正在收录：已完成 \d+ / 40 件答复（\d+ / \d+ 个段落）"), timeout=SLOW)
    shot(first, "library-import-during")
    shot(second, "library-import-queued")
    # During the build the table is there, filterable, and under no progress overlay.
    table = first.locator("#library-table")
    expect(table).to_be_visible()
    assert first.locator("#library-table .eta-bar, #library-table .progress-text").count() == 0
    first.locator("#library-filter textarea").fill("图书馆")
    expect(table).to_contain_text("关于延长区图书馆周末开放时间的答复", timeout=10_000)
    building = first.locator("#build-status").inner_text() + second.locator("#build-status").inner_text()
    assert "正在" in building or "排在" in building, "the filter answered while a build was running"

    expect(first.locator("#added textarea")).to_have_value(re.compile("已收录 40 件新答复"), timeout=SLOW)
    expect(second.locator("#added textarea")).to_have_value(re.compile("已收录 1 件新答复"), timeout=SLOW)
    history = second.locator("#build-history")
    expect(history).to_contain_text("上传 1 个文件：体育馆开放答复.txt")
    expect(history).to_contain_text("上传 1 个文件：teddy前40行.xlsx")
    assert history.inner_text().index("体育馆开放答复.txt") < history.inner_text().index("teddy前40行.xlsx")  # newest first
    first.locator("#library-filter textarea").fill("景蓉")
    expect(first.locator("#library-table")).to_contain_text("teddy前40行.xlsx 编号 2549", timeout=10_000)
    for clerk in clerks:
        shown = clerk.locator("#library-table, #build-status, #added, #build-history, #upload").all_inner_texts()
        text = "\n".join(shown)
        assert not re.search(r"/[A-Za-z_.][\w.\-]*/|uploads|\.dafu|corpus/", text) and str(app_data) not in text, text
        assert not re.search(r"embedding|chunk|empty:|too large|binary|cannot|UTC", text), text  # no English
    shot(first, "library-import-after")
    shot(second, "library-import-second-after")
    for clerk in clerks:
        clerk.context.close()
