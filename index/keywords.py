"""Keyword side of retrieval: jieba tokens and a BM25 index over the chunks."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import bm25s
import jieba
import numpy as np

jieba.setLogLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_WORD = re.compile(r"[\w\u3400-\u9fff]")
_QUOTED = re.compile(r"[“「『]([\u3400-\u9fff\w]{2,10})[”」』]")


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_STOPWORDS_FILE.read_text(encoding="utf-8").split())


def learn_quoted_terms(texts: Iterable[str]) -> int:
    """Terms the replies put in quotes (“深港通”, “科汇通”) stay whole in the tokenizer."""
    terms = {m.group(1) for text in texts for m in _QUOTED.finditer(text)}
    for term in terms:
        jieba.add_word(term, freq=2000)
    return len(terms)


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words and their sub-words, lower-cased, without stopwords and punctuation."""
    return [t for t in (w.strip().lower() for w in jieba.cut_for_search(text)) if t and _WORD.search(t) and t not in stopwords()]


class KeywordIndex:
    """BM25 (bm25s, sparse matrices) over tokenised chunks, with the IDF the refusal gate uses."""

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        tokens = [tokenize(t) for t in texts]
        self.bm25 = bm25s.BM25()
        if tokens:
            self.bm25.index(tokens, show_progress=False)
        self.document_frequency: dict[str, int] = {}
        for doc in tokens:
            for t in set(doc):
                self.document_frequency[t] = self.document_frequency.get(t, 0) + 1

    def idf(self, term: str) -> float:
        df = self.document_frequency.get(term, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk, in index order."""
        if not self.size or not query_tokens:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores(query_tokens)
