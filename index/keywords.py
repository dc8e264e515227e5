"""Keyword side of retrieval: jieba tokens and a BM25 index over the chunks."""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import logging
import math
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import bm25s
import jieba
import jieba.posseg
import numpy as np

if TYPE_CHECKING:
    from index.store import StoredChunk

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_WORD = re.compile(r"[\w\u3400-\u9fff]")
_QUOTED = re.compile(r"[“「『]([\u3400-\u9fff\w]{2,10})[”」』]")


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_STOPWORDS_FILE.read_text(encoding="utf-8").split())


def quoted_terms(texts: Iterable[str]) -> list[str]:
    """Terms the replies put in quotes (“深港通”, “科汇通”)."""
    return sorted({m.group(1) for text in texts for m in _QUOTED.finditer(text)})


def add_terms(terms: Iterable[str]) -> None:
    """Terms that must stay whole in the tokenizer."""
    for term in terms:
        jieba.add_word(term, freq=2000)


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words and their sub-words, lower-cased, without stopwords and punctuation."""
    return [t for t in (w.strip().lower() for w in jieba.cut_for_search(text)) if t and _WORD.search(t) and t not in stopwords()]


def whole_words(text: str) -> list[str]:
    """The words of text as jieba cuts it (no sub-words), two characters or more, without stopwords and punctuation:
    what describes a subject, fast enough for every reply of an archive (part-of-speech tagging is much slower)."""
    return [t for t in (w.strip().lower() for w in jieba.cut(text)) if len(t) >= 2 and _WORD.search(t) and t not in stopwords()]


# Parts of speech that frame a question without naming what it is about: particles, prepositions, conjunctions,
# pronouns. Adverbs, numerals and 方位词 are not among them: jieba tags 长期, 三号 and 初中 so.
_FRAMING_TAGS = ("u", "p", "c", "r")
_FRAMING_FILE = Path(__file__).with_name("framing_words.txt")


@cache
def _framing_list() -> frozenset[str]:
    return frozenset(_FRAMING_FILE.read_text(encoding="utf-8").split())


@lru_cache(maxsize=1024)  # the check asks it of the question for every claim and passage
def framing_words(text: str) -> frozenset[str]:
    """The words of text that frame it without naming a subject ("以后", "最多", "之间", "的话")."""
    return frozenset(
        word.lower() for word, tag in jieba.posseg.cut(text) if tag.startswith(_FRAMING_TAGS) or word in _framing_list()
    )


def naming_words(text: str) -> list[str]:
    """The whole words of text, as written and in its order, that name a thing (nouns, and verbs used as nouns such as
    监管, 巡查), of two characters or more: what a reply would have to mention to speak of it."""
    left_out = framing_words(text) | stopwords()
    return [
        word
        for word, tag in jieba.posseg.cut(text)
        if len(word) >= 2 and tag.startswith(("n", "vn", "eng")) and word.lower() not in left_out
    ]


def term_weights(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The words of a question (or a point) that name what it asks about, each weighted by its rarity."""
    framing = framing_words(text)
    return {t: idf(t) for t in set(tokenize(text)) if t not in framing}


def own_words(text: str, title: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The words of one point (or ask) that name what it asks for, weighted by rarity, less the title's (the subject
    every point shares) unless the point says nothing else: a title read as the only point."""
    words = term_weights(text, idf)
    shared = set(tokenize(title))
    return {word: weight for word, weight in words.items() if word not in shared} or words


def covered(weights: dict[str, float], text: str) -> float:
    """The weighted share of the terms (lower-cased, as tokenize gives them) that the text holds."""
    total = sum(weights.values())
    haystack = text.lower()
    return sum(w for t, w in weights.items() if t in haystack) / total if total else 0.0


_CJK_CHAR_OR_WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")
# Saved indexes made by another tokenizer are rebuilt: bump when index_tokens changes.
TOKENIZER_VERSION = "words+bigrams-1"


def index_tokens(text: str) -> list[str]:
    """What BM25 indexes and matches: the words, and every pair of adjacent characters, which keeps masked or
    misspelt names (“景蓉华苑” / “景蓉花苑”) and words jieba splits differently from the query findable."""
    units = _CJK_CHAR_OR_WORD.findall(text.lower())
    return tokenize(text) + [a + b for a, b in itertools.pairwise(units)]


class KeywordIndex:
    """BM25 (bm25s, sparse matrices) over tokenised chunks, with the IDF the refusal gate uses."""

    def __init__(self, bm25: bm25s.BM25 | None, document_frequency: dict[str, int], size: int) -> None:
        self.bm25 = bm25
        self.document_frequency = document_frequency
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        # Each chunk is held as word numbers while indexing, not as strings: a million chunks of strings need tens of GB.
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in index_tokens(text)] for text in texts]
        words = list(vocabulary)
        frequency = {words[i]: n for i, n in collections.Counter(i for doc in ids for i in set(doc)).items()}
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index((ids, vocabulary), show_progress=False)
        return cls(bm25, frequency, len(texts))

    def save(self, folder: Path, fingerprint: str, terms: list[str]) -> None:
        """Written beside Chroma into a fresh folder, then swapped in, so a crash leaves the old one or none."""
        # One folder per save: the build and a search of the same process may save at once.
        partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(partial), show_progress=False)
        about = {"fingerprint": fingerprint, "size": self.size, "terms": terms, "document_frequency": self.document_frequency}
        (partial / "about.json").write_text(json.dumps(about, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        try:
            partial.rename(folder)
        except OSError:  # another process saved its index at the same moment; the next search rebuilds if it is stale
            shutil.rmtree(partial, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> KeywordIndex | None:
        """The saved index if it was built from exactly these chunks, else None; its quoted terms join the tokenizer."""
        try:
            about = json.loads((folder / "about.json").read_text(encoding="utf-8"))
            if about["fingerprint"] != fingerprint:
                return None
            bm25 = bm25s.BM25.load(str(folder)) if about["size"] else None
            # A build may have swapped the folder while it was read: keep it only if it is still the same one.
            again = json.loads((folder / "about.json").read_text(encoding="utf-8"))
            if again["fingerprint"] != fingerprint or (bm25 is not None and bm25.scores["num_docs"] != about["size"]):
                return None
        except (OSError, ValueError, KeyError) as error:
            log.info("keyword index at %s not usable (%s): rebuilding", folder, error)
            return None
        add_terms(about["terms"])
        return cls(bm25, about["document_frequency"], about["size"])

    def idf(self, term: str) -> float:
        df = self.document_frequency.get(term, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query, in index order."""
        tokens = index_tokens(query)
        if self.bm25 is None or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores(tokens)


def keyword_index(folder: Path, chunks: list[StoredChunk]) -> KeywordIndex:
    """The BM25 index saved in folder if it was built from exactly these chunks, else built from them and saved there."""
    # Ids and texts both: a document chunked again keeps its chunks' ids with other texts.
    digest = hashlib.sha256(TOKENIZER_VERSION.encode())
    for c in chunks:
        digest.update(f"\n{c.chunk_id}\t{c.searchable_text}".encode())
    fingerprint = digest.hexdigest()
    saved = KeywordIndex.load(folder, fingerprint)
    if saved is not None:
        return saved
    terms = quoted_terms(c.text for c in chunks)
    add_terms(terms)
    index = KeywordIndex.build([c.searchable_text for c in chunks])
    index.save(folder, fingerprint, terms)
    log.info("keyword index of %d chunks built and saved to %s", len(chunks), folder)
    return index
