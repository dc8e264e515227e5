"""The words of Chinese text as search sees them: jieba tokens, character pairs, quoted terms, and their weights."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)

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
# Keyword indexes made by another tokenizer are replaced: bump when index_tokens changes.
TOKENIZER_VERSION = "words+bigrams-1"


def index_tokens(text: str) -> list[str]:
    """What the keyword index holds and matches: the words, and every pair of adjacent characters, which keeps masked or
    misspelt names (“景蓉华苑” / “景蓉花苑”) and words jieba splits differently from the query findable."""
    units = _CJK_CHAR_OR_WORD.findall(text.lower())
    return tokenize(text) + [a + b for a, b in itertools.pairwise(units)]
