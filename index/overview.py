"""概览: what an archive's messages and suggestions are about, which offices answer them and how well, from what the index
already holds (fields, texts, chunk vectors; nothing is embedded again). What each reply contributes is kept in a cache
beside the index and worked out again only for the replies a build adds or changes."""

from __future__ import annotations

import json
import logging
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

import numpy as np
from filelock import FileLock

from index.filters import Filters
from index.hot_issues import HotIssue, Message, hot_issues
from index.keyword_index import current_keyword_index
from index.keywords import whole_words
from index.quality import reply_quality
from index.store import DocumentRecord, ReplyStore
from index.topics import SAMPLES, Topic, find_topics
from text.dates import parsed_date
from text.formulas import is_framing
from text.offices import answering_office
from text.places import local_places
from text.sentences import sentence_spans

log = logging.getLogger(__name__)

# Bump when what is worked out for a reply changes: every cached reply is worked out again.
FACTS_VERSION = "2"
_CACHE_FILE = "facts.npz"
# Replies whose texts and chunk vectors one request reads.
_BATCH = 500
# What describes a message: its title and the start of its text (or of the reply, when the message is not on file).
_DESCRIBING_CHARS = 400
NO_OFFICE = "（未注明）"
# The offices and topics a table shows beside another.
_TOP = 3


@dataclass
class ReplyFacts:
    """What one reply contributes to the overview."""

    doc_id: str
    title: str
    kind: str
    office: str
    date: str  # the reply's date, ISO
    asked: str  # the message's date, ISO, when on file
    source: str
    words: list[str]
    places: list[str]
    quality: dict = field(default_factory=dict)
    messages: int = 1  # the messages it answers: one text that answers several is one document
    office_inferred: bool = False  # no office field: the one its text names most (text/offices.answering_office)

    @property
    def sent(self) -> str:
        """When the matter was raised: the message's date, else the reply's."""
        return self.asked or self.date

    def metadata(self) -> dict:
        """The fields a search filter reads; the year is that of when the matter was raised, as the overview counts it."""
        return {"year": int(self.sent[:4]) if self.sent else 0, "kind": self.kind, "signing_office": self.office}


def facts_of(record: DocumentRecord, rarity: Callable[[str], float]) -> ReplyFacts:
    """What the reply contributes; its quality with words weighed by their rarity in the archive."""
    fields = record.fields
    title = str(fields.get("title", ""))
    message = str(fields.get("question", ""))
    describing = f"{title}。{(message or _substance(record.text, title))[:_DESCRIBING_CHARS]}"
    stated = str(fields.get("signing_office") or fields.get("lead_office") or "")
    office = stated or answering_office(record.text) or NO_OFFICE
    date_text, asked = str(fields.get("date", "")), str(fields.get("asked", ""))
    quality = reply_quality(title, message, record.text, asked, date_text, rarity).to_dict() if message else {}
    return ReplyFacts(
        record.doc_id,
        title,
        str(fields.get("kind", "")),
        office,
        date_text,
        asked,
        record.sources[0] if record.sources else "",
        whole_words(describing),
        sorted(local_places(f"{title}。{message[:_DESCRIBING_CHARS]}")),
        quality,
        messages=max(1, len(record.files)),
        office_inferred=not stated and office != NO_OFFICE,
    )


def _substance(text: str, title: str) -> str:
    """The reply without its set phrases, contact lines and signature: what it is about."""
    return "".join(text[s:e] for s, e in sentence_spans(text) if not is_framing(text[s:e], title))


def _fingerprint(record: DocumentRecord) -> str:
    return json.dumps([FACTS_VERSION, record.files, record.chunking, record.chars], ensure_ascii=False, sort_keys=True)


class FactsCache:
    """The facts and vector of every indexed reply, in a folder beside the index."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def exists(self) -> bool:
        return (self.folder / _CACHE_FILE).exists()

    def current(self, store: ReplyStore, rarity: Callable[[str], float] | None = None) -> tuple[list[ReplyFacts], np.ndarray]:
        """The facts of the replies indexed now: the cached ones that are unchanged, the rest worked out and saved; words
        weighed by rarity, else by the IDF of the index's keyword side (read only when a reply is to be worked out). One
        process or thread at a time: a build and the app may both bring the cache up to date."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with FileLock(self.folder / "cache.lock"):
            return self._current(store, rarity)

    def _current(self, store: ReplyStore, rarity: Callable[[str], float] | None) -> tuple[list[ReplyFacts], np.ndarray]:
        started = time.perf_counter()
        records = store.all_documents()
        wanted = {r.doc_id: _fingerprint(r) for r in records}
        cached, vectors = self._load()
        kept = {d: entry for d, entry in cached.items() if wanted.get(d) == entry["fingerprint"]}
        todo = [d for d in wanted if d not in kept]
        if todo or len(kept) != len(cached):
            if todo and rarity is None:
                rarity = current_keyword_index(store).idf
            for at in range(0, len(todo), _BATCH):
                batch = todo[at : at + _BATCH]
                found = store.document_vectors(batch)
                for record in store.get_documents(batch, with_text=True).values():
                    if record.doc_id in found:  # a document without chunks is not one the overview can place
                        kept[record.doc_id] = {"fingerprint": wanted[record.doc_id], "facts": asdict(facts_of(record, rarity))}
                        vectors[record.doc_id] = found[record.doc_id]
            self._save(kept, vectors)
            seconds = time.perf_counter() - started
            log.info("overview: %d replies worked out, %d kept, in %.1f s", len(todo), len(kept) - len(todo), seconds)
        ids = sorted(kept)
        dims = next(iter(vectors.values())).shape[0] if vectors else 0
        matrix = np.array([vectors[d] for d in ids], dtype=np.float32).reshape(len(ids), dims)
        return [ReplyFacts(**kept[d]["facts"]) for d in ids], matrix

    def _load(self) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
        """The cache as saved, its facts and vectors matched by id; anything unreadable is no cache."""
        try:
            with np.load(self.folder / _CACHE_FILE, allow_pickle=False) as stored:
                ids = [str(i) for i in stored["ids"]]
                entries = json.loads(stored["facts"].tobytes().decode("utf-8"))
                vectors = stored["vectors"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return {}, {}
        if list(entries) != ids or len(vectors) != len(ids):
            return {}, {}
        return entries, dict(zip(ids, vectors, strict=True))

    def _save(self, entries: dict[str, dict], vectors: dict[str, np.ndarray]) -> None:
        """One file holding ids, facts and vectors together, written fresh and then swapped in: a crash leaves the old
        cache or none, never facts beside another reply's vector. Partial files of a crashed save are removed."""
        for partial in self.folder.glob(f"{_CACHE_FILE}.partial-*"):
            partial.unlink(missing_ok=True)
        ids = list(entries)
        partial = self.folder / f"{_CACHE_FILE}.partial-{uuid.uuid4().hex}"
        with partial.open("wb") as out:
            np.savez(
                out,
                ids=np.array(ids, dtype=str),
                facts=np.frombuffer(json.dumps(entries, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
                vectors=np.array([vectors[d] for d in ids], dtype=np.float32),
            )
        partial.replace(self.folder / _CACHE_FILE)


# What a supervisor looks for among the replies, with how a reply's quality shows it.
FINDINGS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "formula": ("套话答复", lambda q: q["formula"]),
    "incomplete": ("未完全回应", lambda q: q["complete"] != "yes"),
    "off": ("未谈及来信主题", lambda q: not q["relevant"]),
    "promised": ("有承诺事项", lambda q: bool(q["commitments"])),
}


@dataclass(frozen=True)
class QualityTotals:
    """How a set of replies fares: of those whose message is on file, how many show each finding; the median days."""

    graded: int
    findings: dict[str, int]  # by FINDINGS key
    promises: int
    median_days: float | None

    def sentence(self) -> str:
        """The totals as the summary line and the command line say them."""
        if not self.graded:
            return ""
        days = f"答复用时中位数 {self.median_days:g} 天；" if self.median_days is not None else ""
        found = "，".join(f"{FINDINGS[k][0]} {n} 件" for k, n in self.findings.items() if k != "promised")
        return f"其中 {self.graded} 件有来信原文：{days}{found}，承诺事项 {self.promises} 项。"


def quality_totals(replies: list[ReplyFacts]) -> QualityTotals:
    graded = [r.quality for r in replies if r.quality]
    days = [q["days"] for q in graded if q["days"] is not None]
    findings = {key: sum(bool(shows(q)) for q in graded) for key, (_, shows) in FINDINGS.items()}
    return QualityTotals(len(graded), findings, sum(len(q["commitments"]) for q in graded), median(days) if days else None)


@dataclass
class Overview:
    """The replies a filter keeps, their topics and hot issues."""

    replies: list[ReplyFacts]
    topics: list[Topic]
    hot: list[HotIssue]

    def count_by(self, key: str) -> list[tuple[str, int]]:
        """How many replies per year, month (of when the matter was raised), kind or office; years and months in order,
        the rest most first."""
        values = {
            "year": lambda r: r.sent[:4] or "（无日期）",
            "month": lambda r: r.sent[:7] or "（无日期）",
            "kind": lambda r: r.kind or "（未注明）",
            "office": lambda r: r.office,
        }[key]
        counts = Counter(values(r) for r in self.replies)
        if key in ("year", "month"):
            return sorted(counts.items())
        return counts.most_common()

    def replies_of(self, what: str, value: str) -> list[ReplyFacts]:
        """The replies of a topic (its number), an office, a hot issue (its rank) or a finding of their quality (one of
        FINDINGS), newest first."""
        if what == "finding":
            members = [i for i, r in enumerate(self.replies) if r.quality and FINDINGS[value][1](r.quality)]
        elif what == "topic":
            members = next((t.members for t in self.topics if str(t.number) == value), [])
        elif what == "hot":
            members = self.hot[int(value) - 1].members if value.isdigit() and 0 < int(value) <= len(self.hot) else []
        else:
            members = [i for i, r in enumerate(self.replies) if r.office == value]
        return sorted((self.replies[i] for i in members), key=lambda r: r.sent, reverse=True)

    def topic_offices(self, topic: Topic) -> list[tuple[str, int]]:
        """The offices that answer the topic most, those not named left out."""
        return Counter(self.replies[i].office for i in topic.members if self.replies[i].office != NO_OFFICE).most_common(_TOP)

    def topic_trend(self, topic: Topic, period: str = "month") -> list[tuple[str, int]]:
        """Replies of the topic per month (or year) the matter was raised, every period of the overview's counted (a
        period without any of the topic's is a 0, so that a line drops to it)."""
        width = 7 if period == "month" else 4
        counts = Counter(self.replies[i].sent[:width] for i in topic.members if self.replies[i].sent)
        return [(when, counts.get(when, 0)) for when, _ in self.count_by(period) if when[:1].isdigit()]

    def topics_by_office(self) -> dict[str, list[str]]:
        """The topics each office answers most, in one pass over the topics (an office's ties in topic order)."""
        named: dict[str, Counter[str]] = {}
        for topic in self.topics:
            for i in topic.members:
                named.setdefault(self.replies[i].office, Counter())[topic.name] += 1
        return {office: [name for name, _ in counts.most_common(_TOP)] for office, counts in named.items()}

    def samples(self, topic: Topic) -> list[ReplyFacts]:
        return [self.replies[i] for i in topic.members[:SAMPLES]]


def overview(facts: list[ReplyFacts], vectors: np.ndarray, filters: Filters | None = None) -> Overview:
    """The overview of the replies the filters keep (all of them without)."""
    if filters is not None:
        filters = filters.with_offices(r.office for r in facts)
        keep = [i for i, r in enumerate(facts) if filters.matches(r.metadata())]
        facts, vectors = [facts[i] for i in keep], vectors[keep]
    topics = find_topics(vectors, [r.words for r in facts])
    messages = [Message(r.words, frozenset(r.places), parsed_date(r.sent), r.messages) for r in facts]
    return Overview(facts, topics, hot_issues(messages))
