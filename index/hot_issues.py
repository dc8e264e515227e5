"""Hot issues: many messages on one subject in one place within a short time ("A5区魅力之城小区油烟扰民", 30 messages in
two months). Messages are linked when their words are alike, they name no different places and they were sent close
together; each linked group of at least HOT_LEAST messages is a hot issue."""

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


@dataclass(frozen=True)
class HotIssue:
    members: list[int]  # positions into the messages, oldest first
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
    if len(messages) < HOT_LEAST:
        return []
    tfidf = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    vectors = tfidf.fit_transform([m.words for m in messages])
    vocabulary = tfidf.get_feature_names_out()
    days = np.array([m.sent.toordinal() if m.sent else -(10**6) for m in messages])
    rows, cols = [], []
    for start in range(0, len(messages), _BLOCK):
        similar = (vectors[start : start + _BLOCK] @ vectors.T).toarray()
        for a, b in zip(*np.nonzero(similar >= ALIKE), strict=True):
            i, j = start + int(a), int(b)
            if i < j and abs(days[i] - days[j]) <= WINDOW_DAYS and _same_place(messages[i], messages[j]):
                rows.append(i)
                cols.append(j)
    n = len(messages)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    issues = [_issue(messages, [int(i) for i in group], vectors, vocabulary) for group in groups if len(group) >= HOT_LEAST]
    return sorted(issues, key=lambda issue: (-len(issue.members), issue.first or date.min))


def _same_place(one: Message, other: Message) -> bool:
    """Neither names a place below a city, or they share one."""
    return not one.places or not other.places or bool(one.places & other.places)


def _issue(messages: list[Message], members: list[int], vectors: csr_matrix, vocabulary: np.ndarray) -> HotIssue:
    """The group with the words that weigh most in its messages, and the places they name most."""
    members = sorted(members, key=lambda i: messages[i].sent or date.min)
    weights = np.asarray(vectors[members].sum(axis=0)).ravel()
    places = Counter(p for i in members for p in messages[i].places)
    dates = [messages[i].sent for i in members if messages[i].sent]
    return HotIssue(
        members,
        [w for w in (str(vocabulary[i]) for i in np.argsort(-weights)) if _names_a_subject(w)][:_SHOWN_WORDS],
        [p for p, _ in places.most_common(2)],
        min(dates, default=None),
        max(dates, default=None),
    )


def _names_a_subject(word: str) -> bool:
    """Not a figure, nor the code of a masked place ("28", "k11")."""
    return not word.isdigit() and not MASKED_CODE.match(word)
