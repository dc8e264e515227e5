"""The keyword side of retrieval: BM25 over jieba tokens in tantivy segments, changed a document at a time, opened by
mapping its files, and kept in line with the store's manifest by its change log (docs/keywords.md).

Tantivy keeps immutable segments, a deletion bitmap per segment and a meta.json naming the committed ones; a commit
replaces meta.json by an atomic rename, so a reader in any process sees the old state or the new one, never a half.
One writer at a time holds `.tantivy-writer.lock`, an OS lock freed when its process dies; a writer killed before its
commit leaves the last commit as it was.
"""

from __future__ import annotations

import collections
import json
import logging
import math
import os
import shutil
import threading
import uuid
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy
from filelock import FileLock, Timeout

from index.filters import FILTER_FIELDS, Filters
from index.keywords import TOKENIZER_VERSION, add_terms, index_tokens, quoted_terms

if TYPE_CHECKING:
    from index.store import ReplyStore, StoredChunk

log = logging.getLogger(__name__)

_TOKENS = "tokens"
_ABOUT = "about.json"
# Where the index stands in the store's change log: written after each commit, by the writer.
_SYNCED = "synced.json"
# The writer's indexing memory: a large catch-up flushes segments of this size as it goes.
_WRITER_HEAP = 100_000_000
# Pages of documents (store.chunks_of) a catch-up stages between two commits: a long one is searchable part by part.
_COMMIT_EVERY_PAGES = 10
# What an index folder was made by: a folder made otherwise is replaced. Bump when the schema changes.
_FORMAT = f"{TOKENIZER_VERSION}/fields-2"
# Documents are spread over this many buckets by a hash of their id, so that listing them is done a part at a time.
_BUCKETS = 256
# Documents up to which a searcher compares every document itself (seconds) rather than in the background.
_FILLED_BEFORE_SEARCHING = 10_000
# Values one aggregation returns: tantivy refuses more than 65,000 buckets in one.
_MOST_VALUES = 50_000


class KeywordIndexBusy(RuntimeError):
    """Another process holds the keyword index's writer lock."""


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("bucket", indexed=True, fast=True)
    # The tokens are given already cut (jieba words and character pairs); frequencies, no positions: no phrase queries.
    builder.add_text_field(_TOKENS, tokenizer_name="whitespace", index_option="freq")
    # Terms the replies put in quotes, kept with their chunks so that the tokenizer learns them again on opening.
    builder.add_text_field("quoted", tokenizer_name="raw", index_option="basic")
    for field in FILTER_FIELDS:
        builder.add_text_field(field, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    return builder.build()


def _pre_tokenized(tokens: list[str]) -> tantivy.PreTokenizedString:
    return tantivy.PreTokenizedString("", [tantivy.Token(t, p, 0, 0) for p, t in enumerate(tokens)])


class KeywordIndex:
    """BM25 over the chunks of committed documents, by chunk id, with the filters' fields and the IDF the answer's
    checks read. One object per folder in a process (open_keyword_index); any number of processes read the folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        about = folder / _ABOUT
        if about.exists():
            made = json.loads(about.read_text(encoding="utf-8")).get("format")
            if made != _FORMAT:
                raise ValueError(f"{folder}: keyword index made as {made!r}, not {_FORMAT!r}")
            self.index = tantivy.Index.open(str(folder))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(_schema(), path=str(folder), reuse=True)
            about.write_text(json.dumps({"format": _FORMAT}), encoding="utf-8")
        self.schema = self.index.schema
        self._writer: tantivy.IndexWriter | None = None
        self._changing = threading.RLock()  # one thread of this process changes the index at a time
        self._catching_up = FileLock(str(folder / "catch-up.lock"))  # and one process, from the log's read to synced.json
        self._filling: threading.Thread | None = None
        add_terms(t for t, _ in self.index.searcher().terms_with_prefix("quoted", ""))

    # Writing: changes are staged and become visible to every reader, in every process, at commit().

    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(_WRITER_HEAP, 1)
            except ValueError as error:  # tantivy's LockBusy
                raise KeywordIndexBusy(f"{self.folder}: another process is writing the keyword index ({error})") from None
        return self._writer

    def add(self, chunks: Iterable[StoredChunk]) -> None:
        """Stage these chunks; their quoted terms join the tokenizer first, as in a build."""
        chunks = list(chunks)
        add_terms(quoted_terms(c.searchable_text for c in chunks))
        writer = self._writing()
        for chunk in chunks:
            text = chunk.searchable_text
            document = tantivy.Document()
            document.add_text("chunk_id", chunk.chunk_id)
            document.add_text("doc_id", chunk.doc_id)
            document.add_integer("bucket", _bucket(chunk.doc_id))
            document.add_pre_tokenized_text(_TOKENS, _pre_tokenized(index_tokens(text)))
            for term in quoted_terms([text]):
                document.add_text("quoted", term)
            for field in FILTER_FIELDS:
                document.add_text(field, str(chunk.metadata.get(field, "") or ""))
            document.add_integer("year", int(chunk.metadata.get("year", 0) or 0))
            writer.add_document(document)

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Stage the removal of every chunk of these documents added before this call."""
        writer = self._writing()
        for doc_id in doc_ids:
            writer.delete_documents_by_term("doc_id", doc_id)

    def commit(self) -> None:
        """Make the staged changes visible to every reader at once, and free the writer lock."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def rollback(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()
            writer.wait_merging_threads()

    # Keeping in line with the store.

    def catch_up(self, store: ReplyStore, wait: bool = True) -> int | None:
        """Bring the index in line with the store's committed documents: those the change log names since this folder
        last caught up, or every difference when the log does not reach back that far. The documents it changed; None
        if another thread or process is catching the folder up (unless told to wait), or if, not told to wait, it has
        to compare every document: that runs in the background, and searches go on with what is committed."""
        if not self._changing.acquire(blocking=wait):
            return None
        try:
            try:
                self._catching_up.acquire(timeout=-1 if wait else 0)
            except Timeout:
                self.index.reload()
                return None
            try:
                return self._caught_up(store, wait)
            finally:
                self._catching_up.release()
        finally:
            self._changing.release()

    def _caught_up(self, store: ReplyStore, wait: bool) -> int | None:
        position = store.change_position()
        synced = self._synced()
        if synced == position:
            self.index.reload()  # another process may have caught up the folder since this reader last looked
            return 0
        touched = None
        if synced is not None and synced[0] in (position[0], ""):  # "": caught up before the first record was written
            touched = store.changed_since(synced[1], position)
        if touched is None:
            if not wait and store.document_count() > _FILLED_BEFORE_SEARCHING:
                self._fill_in_background(store)
                return None
            log.info("keyword index %s: comparing every document with the store", self.folder)
            touched = store.document_ids() ^ set(self.documents())
        try:
            self._apply(store, touched)
        except KeywordIndexBusy:  # a process writing without the catch-up lock: a build of another version
            self.index.reload()
            return None
        self._write_synced(position)
        return len(touched)

    def _fill_in_background(self, store: ReplyStore) -> None:
        if self._filling is None or not self._filling.is_alive():
            self._filling = threading.Thread(target=self._fill, args=(store,), name="keyword-fill", daemon=True)
            self._filling.start()

    def _fill(self, store: ReplyStore) -> None:
        try:
            self.catch_up(store)
        except Exception:
            log.exception("keyword index %s: catching up with the store failed; the next search tries again", self.folder)

    def _apply(self, store: ReplyStore, touched: set[str]) -> None:
        """Each of these documents as the store holds it now: its chunks again if committed, none if not."""
        present = store.committed(touched)
        try:
            self.remove_documents(touched)
            for n, page in enumerate(store.chunks_of(present), 1):
                self.add(page)
                if n % _COMMIT_EVERY_PAGES == 0:
                    self.commit()
                    log.info("keyword index %s: %d pages of documents of %d added", self.folder, n, len(present))
            self.commit()
        except BaseException:
            self.rollback()
            raise
        if touched:
            log.info("keyword index %s: %d document(s) brought in line with the store", self.folder, len(touched))

    def _synced(self) -> tuple[str, int] | None:
        try:
            about = json.loads((self.folder / _SYNCED).read_text(encoding="utf-8"))
            return str(about["log"]), int(about["changes"])
        except (OSError, ValueError, KeyError):
            return None

    def _write_synced(self, position: tuple[str, int]) -> None:
        partial = self.folder / f"{_SYNCED}.{os.getpid()}-{uuid.uuid4().hex[:8]}"
        partial.write_text(json.dumps({"log": position[0], "changes": position[1]}), encoding="utf-8")
        partial.replace(self.folder / _SYNCED)

    # Reading: each call reads the latest commit this process has loaded.

    @property
    def size(self) -> int:
        """Chunks in the index."""
        return self.index.searcher().num_docs

    def idf(self, term: str) -> float:
        """Lucene's BM25 idf; chunks removed count until tantivy merges their segment, as in its own scores."""
        size = self.size
        df = min(self.index.searcher().doc_freq(_TOKENS, term), size)
        return math.log(1 + (size - df + 0.5) / (df + 0.5))

    def documents(self) -> dict[str, int]:
        """Each doc_id with chunks in the index, with how many, listed a range of buckets at a time."""
        size = self.size
        if not size:
            return {}
        step = max(1, _BUCKETS * _MOST_VALUES // (2 * size))  # a range holds about size × step / _BUCKETS chunks
        found: dict[str, int] = {}
        for low in range(0, _BUCKETS, step):
            part = tantivy.Query.range_query(self.schema, "bucket", tantivy.FieldType.Integer, low, low + step - 1)
            found |= self._counts(part, "doc_id")
        return found

    def values(self, field: str) -> list[str]:
        """The distinct values a text field takes among the indexed chunks, read from its column alone."""
        return sorted(v for v in self._counts(tantivy.Query.all_query(), field) if v)

    def _counts(self, query: tantivy.Query, field: str) -> dict[str, int]:
        got = self.index.searcher().aggregate(query, {"v": {"terms": {"field": field, "size": _MOST_VALUES}}})
        return {str(b["key"]): int(b["doc_count"]) for b in got["v"]["buckets"]}

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[str, str, float]]:
        """(chunk_id, doc_id, BM25 score) of the n best chunks sharing any token with the query, best first, among those
        the filters allow."""
        counts = collections.Counter(index_tokens(query))
        if not counts or n < 1:
            return []
        # A token the query holds twice (a two-character word is also a character pair) counts twice.
        terms = [tantivy.Query.term_query(self.schema, _TOKENS, t, index_option="freq") for t in counts]
        weighted = [q if c == 1 else tantivy.Query.boost_query(q, float(c)) for q, c in zip(terms, counts.values(), strict=True)]
        wanted = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in weighted])
        if filters is not None and filters.restricts:
            if filters.offices == ():
                return []
            only = tantivy.Query.const_score_query(self._restriction(filters), 0.0)
            wanted = tantivy.Query.boolean_query([(tantivy.Occur.Must, wanted), (tantivy.Occur.Must, only)])
        searcher = self.index.searcher()
        hits = searcher.search(wanted, n, count=False).hits
        found = [(searcher.doc(address), score) for score, address in hits]
        return [(doc.get_first("chunk_id"), doc.get_first("doc_id"), score) for doc, score in found]

    def _restriction(self, filters: Filters) -> tantivy.Query:
        """The filters as a query matching the chunks they allow."""
        clauses = [tantivy.Query.term_query(self.schema, f, v, index_option="basic") for f, v in filters.equalities().items()]
        if filters.offices is not None:
            clauses.append(tantivy.Query.term_set_query(self.schema, "signing_office", list(filters.offices)))
        if filters.year_from is not None or filters.year_to is not None:
            years = (self.schema, "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to)
            clauses.append(tantivy.Query.range_query(*years, use_inverted_index=True))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])


def _bucket(doc_id: str) -> int:
    return zlib.crc32(doc_id.encode("utf-8")) % _BUCKETS


_opened: dict[Path, KeywordIndex] = {}
_opening = threading.Lock()


def open_keyword_index(folder: Path) -> KeywordIndex:
    """The keyword index in folder, one object per folder in this process; a folder made otherwise (another tokenizer,
    another schema, the bm25s index before it) is replaced by an empty one, which its first catch-up fills."""
    folder = folder.resolve()
    with _opening:
        if folder not in _opened:
            try:
                _opened[folder] = KeywordIndex(folder)
            except ValueError as error:
                with FileLock(str(folder.with_name(f"{folder.name}.replacing.lock"))):
                    try:
                        _opened[folder] = KeywordIndex(folder)  # another process may have replaced it meanwhile
                    except ValueError:
                        log.warning("%s: starting a new keyword index", error)
                        aside = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
                        folder.rename(aside)
                        shutil.rmtree(aside, ignore_errors=True)
                        _opened[folder] = KeywordIndex(folder)
        return _opened[folder]


def current_keyword_index(store: ReplyStore) -> KeywordIndex:
    """The store's keyword index, caught up with its change log now."""
    keywords = open_keyword_index(store.keyword_folder)
    keywords.catch_up(store)
    return keywords
