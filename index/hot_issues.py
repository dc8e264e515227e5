"""Hot issues: many messages on one subject in one place within a short time ("A5区魅力之城小区油烟扰民"). Dated messages
are linked when their words are alike, they name the same place below a city (or neither names one) and they were sent
within WINDOW_DAYS; a linked group is cut where it would span more than WINDOW_DAYS, and each group of at least
HOT_LEAST messages is a hot issue. A reply that answers several messages at once counts each of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from text.places import MASKED_CODE

# Two messages are on one subject when the cosine of their words' TF-IDF reaches this.
ALIKE = 0.4
# ... and sent within this many days of each other.
WINDOW_DAYS = 60
HOT_LEAST = 3
_BLOCK = 256  # rows compared at once: memory stays small however many messages there are
_SHOWN_WORDS = 5


@dataclass(frozen=True)
class Message:
    words: list[str]
    places: frozenset[str]
    sent: date | None
    count: int = 1  # the messages it stands for: one reply that answers several is one document


@dataclass(frozen=True)
class HotIssue:
    members: list[int]  # positions into the messages, oldest first
    messages: int
    words: list[str]
    places: list[str]
    first: date | None
    last: date | None

    @property
    def name(self) -> str:
        subject = "、".join(self.words[:3])
        return f"{self.places[0]}：{subject}" if self.places else subject


def hot_issues(messages: list[Message]) -> list[HotIssue]:
    """The groups of alike messages sent close together in one place, the largest first."""
    dated = [i for i, m in enumerate(messages) if m.sent and m.words]
    if sum(messages[i].count for i in dated) < HOT_LEAST:
        return []
    tfidf = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    vectors = tfidf.fit_transform([messages[i].words for i in dated])
    vocabulary = tfidf.get_feature_names_out()
    days = np.array([messages[i].sent.toordinal() for i in dated])
    rows, cols = [], []
    for start in range(0, len(dated), _BLOCK):
        similar = (vectors[start : start + _BLOCK] @ vectors.T).toarray()
        for a, b in zip(*np.nonzero(similar >= ALIKE), strict=True):
            i, j = start + int(a), int(b)
            if i < j and abs(days[i] - days[j]) <= WINDOW_DAYS and _same_place(messages[dated[i]], messages[dated[j]]):
                rows.append(i)
                cols.append(j)
    n = len(dated)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    linked = [sorted(np.flatnonzero(labels == label), key=days.__getitem__) for label in np.unique(labels)]
    groups = [run for group in linked for run in _within_window(group, days)]
    issues = [
        _issue(messages, [dated[i] for i in group], vectors[group], vocabulary)
        for group in groups
        if sum(messages[dated[i]].count for i in group) >= HOT_LEAST
    ]
    return sorted(issues, key=lambda issue: (-issue.messages, issue.first or date.min))


def _same_place(one: Message, other: Message) -> bool:
    """Both name the same place below a city, or neither names one: a message naming none links no two places."""
    return one.places == other.places == frozenset() or bool(one.places & other.places)


def _within_window(group: list[int], days: np.ndarray) -> list[list[int]]:
    """A linked group, oldest first, cut into runs of at most WINDOW_DAYS: alike complaints every few weeks over two
    years are a lasting matter, not one hot issue."""
    runs: list[list[int]] = []
    for i in group:
        if runs and days[i] - days[runs[-1][0]] <= WINDOW_DAYS:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _issue(messages: list[Message], members: list[int], vectors: csr_matrix, vocabulary: np.ndarray) -> HotIssue:
    """The group (its members' TF-IDF vectors given) with the words that weigh most in it, and the places named most."""
    members = sorted(members, key=lambda i: messages[i].sent or date.min)
    weights = np.asarray(vectors.sum(axis=0)).ravel()
    places = Counter(p for i in members for p in sorted(messages[i].places))  # ties in one order, whatever the hash seed
    dates = [messages[i].sent for i in members if messages[i].sent]
    return HotIssue(
        members,
        sum(messages[i].count for i in members),
        [w for w in (str(vocabulary[i]) for i in np.argsort(-weights)) if _names_a_subject(w)][:_SHOWN_WORDS],
        [p for p, _ in places.most_common(2)],
        min(dates, default=None),
        max(dates, default=None),
    )


def _names_a_subject(word: str) -> bool:
    """Not a figure, nor the code of a masked place ("28", "k11")."""
    return not word.isdigit() and not MASKED_CODE.match(word)
