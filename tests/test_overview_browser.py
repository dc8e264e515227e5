"""概览 in headless Chromium, over an app whose index holds 150 real Teddy messages with their replies: the summary and
charts come in, a topic clicked lists its replies with their quality, a reply opens whole, the tables export."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from eval.app_process import running_app
from index.build import IndexBuilder
from index.overview import FactsCache, overview
from index.store import ReplyStore
from tests.conftest import settings_for, teddy_slice
from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, shot

pytestmark = [pytest.mark.browser]
MESSAGES = 150


@pytest.fixture(scope="module")
def overview_url(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("overview-app")
    export = folder / "teddy.xlsx"
    teddy_slice(export, MESSAGES)
    settings = settings_for(folder / "index", corpus_paths=[export])
    report = IndexBuilder(settings, embedder=embedder).build()
    assert not report.failed, report.summary()
    env = {"DAFU_DATA_DIR": str(folder / "index"), "DAFU_CORPUS_PATHS": f'["{export}"]', "DAFU_UPLOAD_DIR": str(folder / "up")}
    with running_app(env) as (url, _):
        yield url, overview(*FactsCache(ReplyStore(settings).overview_folder).current(ReplyStore(settings)))


def test_a_supervisor_sees_the_topics_and_opens_a_topics_replies(overview_url):
    url, computed = overview_url
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="概览").click()
        summary = page.locator("#overview-summary")
        expect(summary).to_contain_text(f"共 {MESSAGES} 件答复", timeout=60_000)
        expect(summary).to_contain_text("套话答复")
        topics = page.locator("#overview-topics")
        expect(topics).to_contain_text("特征词")
        assert len(computed.topics) >= 3
        name = computed.topics[0].name
        topics.get_by_text(name, exact=True).filter(visible=True).first.click()
        listing = page.locator("#overview-listing")
        expect(listing).to_contain_text(f"话题 1：{name}", timeout=20_000)
        cards = listing.locator(".passage")
        assert cards.count() >= 2
        cards.first.locator("button.open").click()
        expect(page.locator("#overview-viewer")).to_contain_text("答复", timeout=20_000)
        page.locator("#finding-incomplete").click()  # the first 150 Teddy replies hold no formula reply
        expect(listing.locator(".label")).to_contain_text("未完全回应：共", timeout=20_000)
        expect(listing.locator(".quality.open-asks").first).to_contain_text("未回应：")
        page.locator("#overview-export").click()
        expect(page.locator("#overview-files")).to_contain_text("概览_主要话题", timeout=30_000)
        shot(page, "overview")
        page.locator("#overview-offices").get_by_text("（未注明）", exact=True).filter(visible=True).first.click()
        expect(listing.locator(".label")).to_contain_text("件答复", timeout=20_000)
        browser.close()
