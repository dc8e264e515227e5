"""Backends: settings choose them, each streams, and transformers answers too (the tests in test_answer.py run on
llama.cpp in-process and on its OpenAI-compatible server; transformers dequantises the GGUF and is too slow for all)."""

import pytest

from answer.engine import AnswerEngine
from answer.llm import LlamaCppChat, OpenAICompatibleChat, TransformersChat, load_chat_model
from tests.examples import SCHOLARSHIP
from tests.test_answer import cites_seed

pytestmark = pytest.mark.llm


def test_settings_choose_the_backend_behind_one_line(corpus_settings):
    chosen = {
        backend: load_chat_model(corpus_settings.model_copy(update={"llm_backend": backend}))
        for backend in ("llama_cpp", "openai", "transformers")
    }
    assert isinstance(chosen["llama_cpp"].model, LlamaCppChat)
    assert isinstance(chosen["openai"].model, OpenAICompatibleChat)
    assert isinstance(chosen["transformers"].model, TransformersChat)
    assert all(model.turns.capacity == corpus_settings.llm_parallel for model in chosen.values())


def test_the_openai_compatible_backend_streams(corpus_settings, searcher, llama_cpp_server):
    settings = corpus_settings.model_copy(update={"llm_backend": "openai", "llm_base_url": llama_cpp_server})
    events = list(AnswerEngine(settings, searcher, load_chat_model(settings)).stream(SCHOLARSHIP))
    assert len(events) > 3, "tokens arrive before the checked answer"
    assert not events[-1].refused and cites_seed(events[-1])


def test_transformers_backend_answers_with_a_citation(corpus_settings, searcher):
    # The bundled GGUF, dequantised by transformers: slow on a CPU, but the same code runs an HF directory on a GPU.
    settings = corpus_settings.model_copy(update={"llm_backend": "transformers", "max_tokens": 48})
    answer = AnswerEngine(settings, searcher, load_chat_model(settings)).ask(SCHOLARSHIP)
    assert not answer.refused and "50万元" in answer.answer and cites_seed(answer)
