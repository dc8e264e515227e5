"""Chat models that stream tokens: a GGUF through llama.cpp (default, the bundled Qwen2.5 1.5B)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cached_property
from typing import Protocol

from answer.model_files import gguf_path
from settings import Settings

log = logging.getLogger(__name__)

Message = dict[str, str]


class ChatModel(Protocol):
    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]:
        """Yield the reply to messages piece by piece."""
        ...


class LlamaCppChat:
    """A GGUF model in-process through llama-cpp-python, loaded on first use and kept warm."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _llama(self):
        from llama_cpp import Llama

        path = gguf_path(self.settings.llm_model, self.settings.resolve(self.settings.model_cache_dir))
        log.info("loading %s", path)
        return Llama(
            model_path=str(path),
            n_ctx=self.settings.n_ctx,
            n_threads=self.settings.threads,
            n_batch=512,
            verbose=False,
        )

    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]:
        chunks = self._llama.create_chat_completion(
            messages=messages,
            stream=True,
            temperature=self.settings.temperature,
            max_tokens=max_tokens or self.settings.max_tokens,
            repeat_penalty=1.1,  # the small model loops on lists without it
        )
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece


def load_chat_model(settings: Settings) -> ChatModel:
    """The chat model chosen by settings.llm_backend."""
    if settings.llm_backend == "llama_cpp":
        return LlamaCppChat(settings)
    raise ValueError(f"llm_backend: {settings.llm_backend!r} is not available yet; use llama_cpp")
