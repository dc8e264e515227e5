"""A keyword index that changes by parts: tantivy segments over the same tokens as index/keywords.py, opened by mapping
its files, changed one document at a time, shared by processes through its folder.

Tantivy keeps the index as immutable segments plus a deletion bitmap per segment, and a meta.json naming the committed
ones; a commit writes new files, then replaces meta.json by an atomic rename, so a reader in any process sees the old
state or the new one, never a half. One writer at a time holds `.tantivy-writer.lock` (an OS file lock, freed when its
process dies); readers need no lock but a brief `.tantivy-meta.lock` while they open the segments of a new commit, so
that the writer's clean-up cannot delete them meanwhile. A writer killed before its commit leaves the last commit as it
was; its orphaned files are cleaned up by the next writer.
"""

from __future__ import annotations

import collections
import json
import math
from collections.abc import Iterable
from pathlib import Path

import tantivy

from index.keywords import TOKENIZER_VERSION, add_terms, index_tokens, quoted_terms

# The tokens are given to tantivy already cut (jieba words and character pairs); no positions: nothing asks for phrases.
_TOKENS = "tokens"
_ABOUT = "about.json"
# The writer's indexing memory: segments of this size are flushed while a large build goes on.
_WRITER_HEAP = 100_000_000


class KeywordIndexBusy(RuntimeError):
    """Another writer (this process or another) holds the keyword index's writer lock."""


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field(_TOKENS, tokenizer_name="whitespace", index_option="freq")
    # Terms the replies put in quotes, kept with their chunks so that the tokenizer learns them again on opening.
    builder.add_text_field("quoted", tokenizer_name="raw", index_option="basic")
    return builder.build()


def _pre_tokenized(tokens: list[str]) -> tantivy.PreTokenizedString:
    return tantivy.PreTokenizedString("", [tantivy.Token(t, p, 0, 0) for p, t in enumerate(tokens)])


class KeywordSegments:
    """BM25 over chunk ids in a tantivy folder: add and remove documents, commit, search; opened without rebuilding."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        about = folder / _ABOUT
        if about.exists():
            tokenizer = json.loads(about.read_text(encoding="utf-8")).get("tokenizer")
            if tokenizer != TOKENIZER_VERSION:
                made = f"made by tokenizer {tokenizer!r}, not {TOKENIZER_VERSION!r}"
                raise ValueError(f"{folder}: keyword index {made}: rebuild it")
            self.index = tantivy.Index.open(str(folder))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(_schema(), path=str(folder), reuse=True)
            about.write_text(json.dumps({"tokenizer": TOKENIZER_VERSION}), encoding="utf-8")
        self.schema = self.index.schema
        self._writer: tantivy.IndexWriter | None = None
        add_terms(t for t, _ in self.index.searcher().terms_with_prefix("quoted", ""))

    # Writing: changes are staged in a writer and become visible to every reader at commit().

    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(_WRITER_HEAP, 1)
            except ValueError as error:  # tantivy's LockBusy
                raise KeywordIndexBusy(f"{self.folder}: another writer holds the keyword index ({error})") from None
        return self._writer

    def add(self, chunks: Iterable[tuple[str, str, str]]) -> None:
        """Stage (chunk_id, doc_id, searchable_text) chunks; their quoted terms join the tokenizer first, as in a build."""
        chunks = list(chunks)
        quoted = quoted_terms(text for _, _, text in chunks)
        add_terms(quoted)
        writer = self._writing()
        for chunk_id, doc_id, text in chunks:
            document = tantivy.Document()
            document.add_text("chunk_id", chunk_id)
            document.add_text("doc_id", doc_id)
            document.add_pre_tokenized_text(_TOKENS, _pre_tokenized(index_tokens(text)))
            for term in quoted_terms([text]):
                document.add_text("quoted", term)
            writer.add_document(document)

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Stage the removal of every chunk of these documents (added before this call: a document re-indexed is
        removed, then added)."""
        writer = self._writing()
        for doc_id in doc_ids:
            writer.delete_documents_by_term("doc_id", doc_id)

    def commit(self) -> None:
        """Make the staged changes visible to every reader at once, then free the writer lock once merges are done."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def rollback(self) -> None:
        """Drop the staged changes and free the writer lock."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()
            writer.wait_merging_threads()

    # Reading: each call reads the latest commit this reader has loaded (reloaded on commit, or by refresh()).

    def refresh(self) -> None:
        """Load the latest commit now (readers also pick it up by themselves within about half a second)."""
        self.index.reload()

    @property
    def size(self) -> int:
        """Chunks in the index (removed ones not counted)."""
        return self.index.searcher().num_docs

    def document_frequency(self, term: str) -> int:
        """Chunks holding the term; chunks removed count until tantivy merges their segment, as in its own BM25."""
        return self.index.searcher().doc_freq(_TOKENS, term)

    def idf(self, term: str) -> float:
        df = min(self.document_frequency(term), self.size)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def documents(self) -> set[str]:
        """The doc_ids with chunks in the index (for checking it against the store's manifest)."""
        got = self.index.searcher().aggregate(
            tantivy.Query.all_query(), {"docs": {"terms": {"field": "doc_id", "size": max(1, self.size)}}}
        )
        return {bucket["key"] for bucket in got["docs"]["buckets"]}

    def search(self, query: str, n: int, allowed_ids: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the n best chunks sharing any token with the query, best first, among
        allowed_ids if given."""
        counts = collections.Counter(index_tokens(query))
        if not counts or n < 1:
            return []
        # A token the query holds twice (a two-character word is also a character pair) counts twice, as in bm25s.
        terms = [tantivy.Query.term_query(self.schema, _TOKENS, t, index_option="freq") for t in counts]
        weighted = [q if c == 1 else tantivy.Query.boost_query(q, float(c)) for q, c in zip(terms, counts.values(), strict=True)]
        wanted = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in weighted])
        if allowed_ids is not None:
            allowed = list(allowed_ids)
            if not allowed:
                return []
            only = tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, "chunk_id", allowed), 0.0)
            wanted = tantivy.Query.boolean_query([(tantivy.Occur.Must, wanted), (tantivy.Occur.Must, only)])
        searcher = self.index.searcher()
        hits = searcher.search(wanted, n, count=False).hits
        return [(searcher.doc(address).get_first("chunk_id"), score) for score, address in hits]
