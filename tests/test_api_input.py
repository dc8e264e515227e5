"""The API takes nothing on trust: the real app, started on a loopback port over a Chroma server, answers each bad
argument of each endpoint through gradio_client with a Chinese message naming the parameter and what is wrong, within a
second, before any search or model turn; and says so in Chinese when the index server is down."""

from __future__ import annotations

import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from answer.engine import UNREACHABLE
from eval.app_process import running_app
from index.build import IndexBuilder
from index.store import ReplyStore
from tests.conftest import CORPUS, settings_for
from tests.examples import ELEVATOR_SUBSIDY as QUESTION
from tests.examples import OFFICE

TOO_LONG = "电梯" * 50_000  # 100,000 characters, as the issue sent
# What a refusal must take at most, on 2 cores shared with other tests.
FAST_S = 1.0


@pytest.fixture(scope="module")
def client(chroma, embedder, tmp_path_factory):
    """The app over corpus/ indexed in the Chroma server, and a client of its API."""
    data_dir = tmp_path_factory.mktemp("api-app")
    settings = settings_for(data_dir, chroma_host="127.0.0.1", chroma_port=chroma.port)
    report = IndexBuilder(settings, ReplyStore(settings), embedder).build([CORPUS])
    assert not report.failed and report.documents_added, report.summary()
    env = {
        "DAFU_CHROMA_HOST": "127.0.0.1",
        "DAFU_CHROMA_PORT": str(chroma.port),
        "DAFU_DATA_DIR": str(data_dir),
        "DAFU_UPLOAD_DIR": str(data_dir / "uploads"),
    }
    with running_app(env) as (url, _):
        yield Client(url, verbose=False)


def refusal(client: Client, api_name: str, *args: object, **kwargs: object) -> tuple[str, float]:
    """The message a call is refused with, and how long the refusal took."""
    started = time.perf_counter()
    with pytest.raises(AppError) as error:
        client.predict(*args, api_name=api_name, **kwargs)
    return error.value.message, time.perf_counter() - started


FILTERS_BAD = [
    ("unknown kind", {"kind": "外星建议"}, "kind", "类型“外星建议”无法识别"),
    ("kind not text", {"kind": 1}, "kind", "类型应为文字"),
    ("year 99999", {"years": "99999"}, "years", "99999 年不在 1949 至"),
    ("year 0", {"years": "0"}, "years", "年份“0”无法识别"),
    ("year 1900", {"years": "1900"}, "years", "1900 年不在 1949 至"),
    ("year after next", {"years": "2999"}, "years", "2999 年不在 1949 至"),
    ("years not text", {"years": 2024}, "years", "年份应为文字"),
    ("years too long", {"years": "2024" * 1000}, "years", "年份超过 100 字"),
    ("office not text", {"office": [OFFICE]}, "office", "答复单位应为文字，收到的是含 1 项的列表"),
    ("office too long", {"office": "局" * 10_000}, "office", "答复单位超过 100 字"),
]
ASK_BAD = [
    ("question too long", (TOO_LONG,), {}, "question", "问题超过 5000 字（收到 100000 字）"),
    ("question not text", (123,), {}, "question", "问题应为文字，收到的是数字"),
    ("no arguments", (), {}, "question", "缺少问题"),
    ("blank question", ("   ",), {}, "question", "问题为空"),
    ("history not a list", (QUESTION, "问：电梯"), {}, "history", "应为 [[问题, 回答], …] 形式的列表，收到的是文字"),
    ("history of lone texts", (QUESTION, ["问", "答"]), {}, "history", "第 1 项应为 [问题, 回答] 两段文字，收到的是文字"),
    ("history turn of one", (QUESTION, [["问"]]), {}, "history", "第 1 项应为 [问题, 回答] 两段文字，收到的是含 1 项的列表"),
    ("history of numbers", (QUESTION, [["问", "答"], [1, 2]]), {}, "history", "第 2 项应为 [问题, 回答] 两段文字"),
    ("history too long", (QUESTION, [["问", "答" * 6000]]), {}, "history", "第 1 项超过 5000 字"),
    ("history of too many turns", (QUESTION, [["问", "答"]] * 51), {}, "history", "超过 50 轮"),
    *((name, (QUESTION,), fields, field, said) for name, fields, field, said in FILTERS_BAD),
]
SEARCH_BAD = [
    ("query too long", (TOO_LONG,), {}, "query", "查找内容超过 20000 字（收到 100000 字）"),
    ("query not text", ({"q": "电梯"},), {}, "query", "查找内容应为文字，收到的是对象"),
    ("no arguments", (), {}, "query", "缺少查找内容"),
    ("k of 0", ("加装电梯", 0), {}, "k", "返回件数应在 1 至 50 之间，收到的是 0"),
    ("k of 51", ("加装电梯", 51), {}, "k", "返回件数应在 1 至 50 之间，收到的是 51"),
    ("k as text", ("加装电梯", "10"), {}, "k", "返回件数应为整数，收到的是文字"),
    ("k as a fraction", ("加装电梯", 2.5), {}, "k", "返回件数应为整数，收到的是数字"),
    *((name, ("加装电梯",), fields, field, said) for name, fields, field, said in FILTERS_BAD),
]
DRAFT_BAD = [
    ("suggestion too long", (TOO_LONG,), {}, "suggestion", "建议内容超过 20000 字（收到 100000 字）"),
    ("suggestion not text", (["建议"],), {}, "suggestion", "建议内容应为文字"),
    ("no arguments", (), {}, "suggestion", "缺少建议内容"),
    ("unknown kind", ("关于加装电梯的建议",), {"kind": "外星建议"}, "kind", "或留空按内容判断"),
    ("office not text", ("关于加装电梯的建议",), {"office": 7}, "office", "承办单位应为文字"),
    ("office too long", ("关于加装电梯的建议",), {"office": "局" * 10_000}, "office", "承办单位超过 100 字"),
]
CASES = [
    *(("/ask", *case) for case in ASK_BAD),
    *(("/ask_stream", *case) for case in ASK_BAD),
    *(("/search_precedents", *case) for case in SEARCH_BAD),
    *(("/draft", *case) for case in DRAFT_BAD),
]


@pytest.mark.parametrize(("api_name", "name", "args", "kwargs", "field", "said"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_a_bad_argument_is_refused_fast_naming_the_parameter_in_chinese(client, api_name, name, args, kwargs, field, said):
    message, took = refusal(client, api_name, *args, **kwargs)
    print(f"{api_name} {name}: {took:.3f} s, {message[:90]}")
    assert message.startswith(f"参数 {field}：") and said in message, message
    assert took < FAST_S, f"{api_name} {name} took {took:.2f} s"


def test_good_arguments_still_work(client):
    """A search within every limit finds its replies, and a question with a history of the right shape is answered."""
    found = client.predict("加装电梯", 5, "2022-2024", "代表建议", "", api_name="/search_precedents")
    assert 0 < len(found) <= 5 and all(f["kind"] == "代表建议" and 2022 <= int(f["date"][:4]) <= 2024 for f in found)
    # Nothing in the replies is about this: refused before the model, so no model turn is waited for.
    nonsense = "喵喵喵汪汪汪咕咕咕嘎嘎嘎？"
    answer = client.predict(nonsense, [[QUESTION, "每台最高补助25万元[1]。"]], api_name="/ask")
    assert answer["refused"] and answer["question"] == answer["search_query"] == nonsense


def test_a_search_while_the_index_server_is_down_says_so_in_chinese(client, chroma):
    chroma.stop()
    try:
        message, took = refusal(client, "/search_precedents", "加装电梯", 10)
    finally:
        chroma.start()
    print(f"/search_precedents with Chroma down: {took:.3f} s, {message}")
    assert message == UNREACHABLE
    assert took < FAST_S, f"took {took:.2f} s"
