"""The main topics of a set of replies: their vectors clustered (k-means), each cluster named by the words that set it
apart from the others (class-based TF-IDF over the words that name things, in the manner of BERTopic)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from index.keywords import naming_words
from text.places import MASKED_CODE

# Topics for n replies: about a third of √n, a supervisor's number of categories; never more than MAX_TOPICS.
MAX_TOPICS = 24
_PER_SQRT = 3
# Words shown for a topic, and of them the ones that make its name.
SHOWN_WORDS = 8
NAME_WORDS = 3
# Replies a topic is shown by: those nearest its centre.
SAMPLES = 10
# A word in more than this share of all replies (and in more than COMMON_LEAST of them) names no topic: 没有, 咨询, 领导.
COMMON_SHARE = 0.1
COMMON_LEAST = 10


@dataclass(frozen=True)
class Topic:
    """One cluster: its distinctive words, its replies (positions into the input, nearest the centre first)."""

    number: int
    words: list[str]
    members: list[int]

    @property
    def name(self) -> str:
        """Its first distinctive words that name things (nouns; 入学 or 扰民 only when too few are)."""
        things = [w for w in self.words if naming_words(w) == [w]]
        named = [*things, *(w for w in self.words if w not in things)][:NAME_WORDS]
        return "、".join(named) or "（无特征词）"


def topic_count(n: int) -> int:
    return max(1, min(MAX_TOPICS, round(math.sqrt(n) / _PER_SQRT))) if n >= 2 else n


def find_topics(vectors: np.ndarray, words: list[list[str]]) -> list[Topic]:
    """The topics of the replies whose (normalised) vectors and naming words are given, largest first."""
    n = len(words)
    k = topic_count(n)
    if k == 0:
        return []
    if k == 1:
        labels, distances = np.zeros(n, dtype=int), np.zeros(n)
    else:
        model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(vectors)
        labels = model.labels_
        distances = np.linalg.norm(vectors - model.cluster_centers_[labels], axis=1)
    clusters = [np.flatnonzero(labels == c) for c in range(k)]
    named = distinctive_words([Counter(w for i in members for w in set(words[i])) for members in clusters], n)
    ordered = sorted(range(k), key=lambda c: -len(clusters[c]))
    return [
        Topic(number, named[c], [int(i) for i in sorted(clusters[c], key=lambda i: distances[i])])
        for number, c in enumerate(ordered, 1)
        if len(clusters[c])
    ]


def distinctive_words(counts: list[Counter[str]], replies: int) -> list[list[str]]:
    """For each class (its words counted once per reply), the words most frequent in it and rare in the others: class
    TF times log(1 + average class size / the word's frequency over all classes); words common to all replies left out."""
    overall: Counter[str] = Counter()
    for count in counts:
        overall.update(count)
    average = sum(overall.values()) / max(1, len(counts))
    common = max(COMMON_LEAST, COMMON_SHARE * replies)
    named = []
    for count in counts:
        total = sum(count.values()) or 1
        score = {
            w: n / total * math.log(1 + average / overall[w])
            for w, n in count.items()
            if (n >= 2 or len(count) < 20) and overall[w] <= common and not MASKED_CODE.match(w)
        }
        named.append(sorted(score, key=lambda w: (-score[w], w))[:SHOWN_WORDS])
    return named
