"""Chat models that stream tokens: llama.cpp with a GGUF (default), transformers, or an OpenAI-compatible server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from threading import Thread
from typing import Protocol

from answer.model_files import gguf_path
from answer.turns import Ticket, Turns
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
            flash_attn=True,  # measured: 44 tokens/s of prompt instead of 40 on 2 cores
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

    def first_token_logprobs(self, messages: list[Message], words: list[str]) -> dict[str, float]:
        """Log-probability of each word's first token as the first token of the reply: one forward pass, and the
        prompt's longest prefix shared with the last call is reused from llama.cpp's cache."""
        import numpy as np
        from llama_cpp import LogitsProcessorList

        llama = self._llama
        seen: list[np.ndarray] = []

        def keep(_input_ids, logits):  # the first sampler stage holds the whole vocabulary in token order
            seen.append(np.array(logits, dtype=np.float64))
            return logits

        llama.create_chat_completion(
            messages=messages, max_tokens=1, temperature=0.0, logits_processor=LogitsProcessorList([keep])
        )
        logits = seen[0]
        top = logits.max()
        log_total = top + np.log(np.exp(logits - top).sum())
        return {w: float(logits[llama.tokenize(w.encode(), add_bos=False)[0]] - log_total) for w in words}


class OpenAICompatibleChat:
    """Any server speaking the OpenAI chat API: vLLM, llama.cpp server, Ollama."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _client(self):
        from openai import OpenAI

        return OpenAI(base_url=self.settings.llm_base_url, api_key=self.settings.llm_api_key, timeout=300, max_retries=1)

    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]:
        chunks = self._client.chat.completions.create(
            model=self.settings.llm_model,
            messages=messages,
            stream=True,
            temperature=self.settings.temperature,
            max_tokens=max_tokens or self.settings.max_tokens,
            frequency_penalty=0.3,  # the portable cousin of llama.cpp's repeat penalty
        )
        for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content


class TransformersChat:
    """A local Hugging Face model directory (or a GGUF, dequantised) through transformers; on a GPU when there is one."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _model_and_tokenizer(self):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(self.settings.threads)
        spec = self.settings.llm_model
        path = Path(spec).expanduser()
        if path.is_dir():
            directory, extra = str(path), {}
        else:  # a GGUF: transformers dequantises it, which is slow on a CPU but needs nothing else
            gguf = gguf_path(spec, self.settings.resolve(self.settings.model_cache_dir))
            directory, extra = str(gguf.parent), {"gguf_file": gguf.name}
        device = "cuda" if torch.cuda.is_available() else "cpu"
        log.info("loading %s%s with transformers on %s", directory, f"/{extra.get('gguf_file', '')}", device)
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True, **extra)
        model = AutoModelForCausalLM.from_pretrained(directory, local_files_only=True, **extra).to(device)
        return model.eval(), tokenizer

    def stream(self, messages: list[Message], max_tokens: int | None = None) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        model, tokenizer = self._model_and_tokenizer
        inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        # A timeout, so that a failed generate() ends the stream instead of blocking the chat forever.
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600)
        generation = {
            **inputs.to(model.device),
            "streamer": streamer,
            "max_new_tokens": max_tokens or self.settings.max_tokens,
            "do_sample": False,
            "repetition_penalty": 1.1,
        }
        Thread(target=model.generate, kwargs=generation, daemon=True).start()
        yield from (piece for piece in streamer if piece)


class SharedModel:
    """A chat model that every caller reaches through one line (Turns): two requests never run on an in-process model
    at once, whichever way they came (the chat, the API, the evaluation's judge, a draft)."""

    def __init__(self, model: ChatModel, turns: Turns) -> None:
        self.model = model
        self.turns = turns

    def stream(self, messages: list[Message], max_tokens: int | None = None, ticket: Ticket | None = None) -> Iterator[str]:
        """The reply; with a ticket whose turn it is, at once, else after waiting for a turn of its own."""
        own = ticket is None
        ticket = ticket or self.turns.join()
        try:
            ticket.wait()
            yield from self.model.stream(messages, max_tokens)
        finally:
            if own:
                ticket.leave()

    def first_token_logprobs(self, messages: list[Message], words: list[str]) -> dict[str, float] | None:
        """The model's first_token_logprobs in a turn of its own; None for a backend that cannot give them."""
        if not hasattr(self.model, "first_token_logprobs"):
            return None
        ticket = self.turns.join()
        try:
            ticket.wait()
            return self.model.first_token_logprobs(messages, words)
        finally:
            ticket.leave()


_BACKENDS = {"llama_cpp": LlamaCppChat, "openai": OpenAICompatibleChat, "transformers": TransformersChat}


def load_chat_model(settings: Settings) -> SharedModel:
    """The chat model chosen by settings.llm_backend, behind the line every caller shares."""
    return shared(_BACKENDS[settings.llm_backend](settings), settings)


def shared(model: ChatModel, settings: Settings) -> SharedModel:
    """The model behind a line: as many at once as settings.llm_parallel allows (1 in-process), llm_max_waiting waiting."""
    if isinstance(model, SharedModel):
        return model
    return SharedModel(model, Turns(settings.llm_parallel, settings.llm_max_waiting))
