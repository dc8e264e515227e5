"""Build the index from reply files: read, normalise, parse, chunk, embed, store; skip what has not changed."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from index.chunker import CHUNKING, Chunk, chunk_document, chunk_id
from index.embedder import Embedder, load_embedder
from index.keyword_index import KeywordIndex, current_keyword_index, open_keyword_index
from index.overview import FactsCache
from index.readers import SourceDocument, UnreadableFile, read_documents
from index.schema import chunk_fields, document_fields
from index.store import DocumentRecord, ReplyStore, file_of
from index.structure import parse_reply
from settings import PROJECT_ROOT, Settings
from text.normalize import normalize_text

log = logging.getLogger(__name__)

# How long a build's lock in a Chroma server's index holds unless renewed: a build that dies frees it this long after.
_LOCK_LEASE_S = 600
# Embedding batch: large enough to keep both cores busy, small enough for steady progress.
_EMBED_BATCH = 64
# Documents committed are made searchable (written to the change log, the keyword index caught up) at most this often:
# the first batch of a long import can be asked about within half a minute, and the log stays short.
PUBLISH_EVERY_S = 20.0
# Nor more often than this many times what publishing last cost: publishing stays under a fifth of the build.
_PUBLISH_COST_SHARE = 4.0


class BuildInProgress(RuntimeError):
    """Another build holds the lock on this data directory."""


# Replies up to which a build brings 概览's facts up to date (a pass over every record, about a minute from nothing).
_OVERVIEW_IN_BUILD = 5000

STAGES = ("read", "parse", "chunk", "embed", "store", "keywords", "overview")


@dataclass(frozen=True)
class BuildProgress:
    """Where a build stands, for whoever shows it: files read, then documents and chunks committed."""

    stage: str  # "reading", then "embedding", then "keywords"
    files_done: int = 0
    files_total: int = 0
    documents_done: int = 0  # new documents committed by this build
    documents_total: int = 0
    documents_searchable: int = 0  # of those, the ones searches see (published)
    chunks_done: int = 0  # chunks stored, those an interrupted build left included
    chunks_total: int = 0
    seconds_left: float | None = None  # estimated from the embedding so far; None until a batch is done


def no_progress(_: BuildProgress) -> None:
    """For builds nobody watches."""


# What a build that stopped on an error says in its report; the documents it committed before stay indexed.
BUILD_FAILED = "build failed half-way"


@dataclass
class BuildReport:
    """What a build did, source by source, and where its time went."""

    added: list[str] = field(default_factory=list)  # sources (a file, or file.xlsx#row) now holding a new text
    unchanged: list[str] = field(default_factory=list)  # files skipped by content hash
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # sources holding sentences that address a model, left out of chunks
    documents_added: int = 0
    chunks_added: int = 0  # the chunks of the documents committed
    chunks_reused: int = 0  # of those, stored by an interrupted build and not embedded again
    note: str = ""  # who or what asked for the build (上传 2 个文件, 启动时续完…); empty: the command line
    seconds: float = 0.0
    started: str = ""  # ISO times in UTC; the app shows them in the configured timezone
    finished: str = ""
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def summary(self) -> str:
        lines = [
            f"indexed {len(self.added)} source(s) ({self.documents_added} new documents, {self.chunks_added} chunks"
            + (f", {self.chunks_reused} of them already stored, not embedded again" if self.chunks_reused else "")
            + "), "
            f"{len(self.unchanged)} file(s) unchanged, {len(self.removed)} removed, {len(self.failed)} failed "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"  FAILED {path}: {reason}" for path, reason in self.failed]
        lines += [f"  FLAGGED {path}: sentences addressing a model, left out of the chunks" for path in self.flagged]
        return "\n".join(lines)

    @classmethod
    def from_dict(cls, data: dict) -> BuildReport:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "failed": [tuple(item) for item in known.get("failed", [])]})

    @classmethod
    def last(cls, store: ReplyStore) -> BuildReport | None:
        """The last build's report kept with the index (for `python -m index status`), or None."""
        history = cls.history(store, 1)
        return history[0] if history else None

    @classmethod
    def history(cls, store: ReplyStore, n: int) -> list[BuildReport]:
        """The reports of the last n builds kept with the index, newest first."""
        return [cls.from_dict(data) for data in store.reports(n)]


@dataclass
class _Stopwatch:
    """Adds the time of each stage to the report."""

    timings: dict[str, float]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] += time.perf_counter() - started


def display_path(path: Path) -> str:
    """Paths inside the project are stored relative to it, so the index moves with a clone."""
    path = path.resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Every file under the given files and folders, in a stable order; hidden files left out."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return sorted(found)


def file_hash(path: Path, max_mb: float) -> str:
    """sha256 of the file, read in blocks; a file too large or unreadable is an UnreadableFile."""
    try:
        size_mb = path.stat().st_size / 1e6
        if size_mb > max_mb:
            raise UnreadableFile(path, f"too large: {size_mb:.1f} MB over the {max_mb} MB limit")
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except OSError as error:
        raise UnreadableFile(path, f"cannot be opened: {error.strerror or error}") from error


def under(roots: list[str]) -> Callable[[str], bool]:
    """Whether a file (by its stored name) lies under one of these files or folders (by theirs)."""
    return lambda name: any(name == r or name.startswith(r.rstrip("/") + "/") for r in roots)


def text_id(text: str) -> str:
    """A document is identified by its normalised content, so one reply under two names is stored once."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def embedding_text(title: str, section: str, text: str) -> str:
    """What the embedder sees: a chunk in the context of its reply and section."""
    return "\n".join(part for part in (title, section, text) if part)


@dataclass
class _NewDocument:
    record: DocumentRecord
    chunks: list[Chunk]
    chunks_before: int = 0  # what an earlier chunking stored of it, dropped past its new length once it is committed


class _Manifest:
    """The manifest records a build works with, and the documents each source and file holds: every record (whole),
    else those of the files under the build's roots and of the texts it meets in them, fetched as it meets them."""

    def __init__(self, store: ReplyStore, whole: bool) -> None:
        self.store = store
        self.whole = whole
        self.records: dict[str, DocumentRecord] = {}
        self.owners: dict[str, set[str]] = {}  # a source -> the documents it holds
        self.file_sources: dict[str, set[str]] = {}  # a file -> its sources

    def hold(self, records: Iterable[DocumentRecord]) -> None:
        """Work with these records too; one held already stays as the build has changed it."""
        for record in records:
            if record.doc_id in self.records:
                continue
            self.records[record.doc_id] = record
            for source in record.files:
                self.owners.setdefault(source, set()).add(record.doc_id)
                self.file_sources.setdefault(file_of(source), set()).add(source)

    def hold_texts(self, doc_ids: list[str]) -> None:
        """The records of these documents (texts met in a file), wherever they came from."""
        if not self.whole:
            self.hold(self.store.get_documents([d for d in doc_ids if d not in self.records]).values())


@dataclass
class _FileJob:
    """What a file read in this build still owes before it counts as indexed."""

    digest: str
    waiting: set[str] = field(default_factory=set)  # its new documents not yet committed
    changed: set[str] = field(default_factory=set)  # documents already indexed that it names as a source
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, source) to detach once it is in


class IndexBuilder:
    """Brings the store in line with the files; each document is committed whole or not at all."""

    def __init__(self, settings: Settings, store: ReplyStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store or ReplyStore(settings)
        self.embedder = embedder or load_embedder(settings)
        self.publish_every_s = PUBLISH_EVERY_S
        self._lock_owner = ""  # who holds the lock kept in a Chroma server's index, while a build runs
        self._after_interruption = True  # whether the last build or removal stopped before its end
        self._swept = False  # whether this build has swept the chunks such a stop left

    @contextmanager
    def _alone(self) -> Iterator[None]:
        """Hold the build lock: one build or removal at a time changes an index, from this machine (a file lock) and,
        on a Chroma server, from any machine (a lock kept in the index)."""
        lock_path = self.settings.resolve(self.settings.data_dir) / "build.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        shared = bool(self.settings.chroma_host)
        self._lock_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}" if shared else ""
        try:
            with FileLock(str(lock_path), timeout=0):
                if shared and not self.store.take_build_lock(self._lock_owner, _LOCK_LEASE_S):
                    raise BuildInProgress("another machine is building this index (its lock is in the index); try later")
                try:
                    self._after_interruption = self.store.changing(True)
                    self._swept = False
                    yield
                    # A removal sweeps nothing: the mark of a build stopped before it stays for the next build.
                    self.store.changing(self._after_interruption and not self._swept)
                finally:
                    if shared:
                        self.store.release_build_lock(self._lock_owner)
                    self._lock_owner = ""
        except Timeout:
            raise BuildInProgress(f"another index build is running (lock {lock_path}); try again when it ends") from None

    def build(
        self,
        paths: list[Path] | None = None,
        prune: bool = False,
        on_progress: Callable[[BuildProgress], None] = no_progress,
        note: str = "",
    ) -> BuildReport:
        """Bring the index in line with these files and folders (default: the corpus), telling on_progress how far it
        is after each file read and each batch embedded; note says who asked, in the report."""
        with self._alone():
            roots = [self.settings.resolve(p) for p in (paths or self.settings.corpus_paths)]
            report = BuildReport(started=datetime.now(UTC).isoformat(timespec="seconds"), note=note)
            try:
                self._build(roots, prune, on_progress, report)
            except Exception as error:  # the history keeps a build that failed half-way too: what it committed stays
                if not isinstance(error, BuildInProgress):  # a build that lost the lock writes no more to the log
                    self._published_anyway()
                report.finished = datetime.now(UTC).isoformat(timespec="seconds")
                report.failed.append(("", BUILD_FAILED))
                self.store.save_report(asdict(report))
                raise
            self.store.save_report(asdict(report))
            return report

    def pending(self, paths: list[Path]) -> list[Path]:
        """The files under these paths that a build would read: new, changed, or not wholly indexed."""
        found = find_files([self.settings.resolve(p) for p in paths])
        indexed = self.store.indexed_files(display_path(path) for path in found)
        waiting = []
        for path in found:
            try:
                if indexed.get(display_path(path)) != file_hash(path, self.settings.max_file_mb):
                    waiting.append(path)
            except UnreadableFile:
                waiting.append(path)  # the build says why
        return waiting

    def remove(self, doc_ids: list[str]) -> list[str]:
        """Remove these documents from the index (their files stay where they are); the ids that were there."""
        with self._alone():
            found = self.store.get_documents(doc_ids)
            for record in found.values():
                # A whole file removed is read again by a build that meets it; a row removed stays out until its file changes.
                self.store.forget_files(source for source in record.files if file_of(source) == source)
                self.store.remove_document(record.doc_id)
            if found:
                self._overview_updated(self._index_changed())
            return [doc_id for doc_id in doc_ids if doc_id in found]

    def _index_changed(self, doc_ids: Iterable[str] = ()) -> KeywordIndex:
        """Write what this build committed or took out (and these documents) to the change log every searcher follows,
        and bring this machine's keyword index in line with it."""
        self.store.publish_changes(doc_ids)
        return current_keyword_index(self.store)

    def _published_anyway(self) -> None:
        """What a failing build committed, published if the store can still be reached (else the next build does)."""
        try:
            self._index_changed()
        except Exception:
            log.exception("what the failed build committed is published by the next build")

    def _keywords_repaired(self, records: dict[str, DocumentRecord]) -> None:
        """Documents whose chunks in this machine's keyword index differ from the manifest (a build killed between its
        commit and its log record), published as changed, so that every index following the log mends them."""
        keywords = open_keyword_index(self.store.keyword_folder)
        if keywords.catch_up(self.store) is None or keywords.size == sum(r.n_chunks for r in records.values()):
            return
        held = keywords.documents()
        differing = {d for d in set(records) | set(held) if held.get(d, 0) != (records[d].n_chunks if d in records else 0)}
        if differing:
            log.info("keyword index: %d document(s) differ from the manifest; bringing them in line", len(differing))
            self._index_changed(differing)

    def _overview_updated(self, keywords: KeywordIndex) -> None:
        """Work out the overview's facts of the replies added, and drop those removed, so that 概览 opens at once. The
        index is whole without them: a failure here is logged, and 概览 works them out when it opens. A large archive's
        are left to 概览's next opening, which reads every record: an upload does not wait for a pass over the archive."""
        if self.store.document_count() > _OVERVIEW_IN_BUILD:
            return
        cache = FactsCache(self.store.overview_folder)
        try:
            cache.current(self.store, keywords.idf)
        except Exception:
            log.exception("the overview's cache was not brought up to date")

    def _build(
        self, roots: list[Path], prune: bool, on_progress: Callable[[BuildProgress], None], report: BuildReport
    ) -> BuildReport:
        started = time.perf_counter()
        clock = _Stopwatch(report.timings)
        files = find_files(roots)
        present = {display_path(p) for p in files}
        under_roots = under([display_path(r) for r in roots])
        # Only a build or removal stopped half-way, an index made before its records named their files, or pruning (every
        # source under the roots, marked or not) needs every record: otherwise a build reads those of the files it
        # meets, and its time follows them, not the archive's size.
        listed = self.store.files_listed()
        whole = self._after_interruption or not listed or prune
        manifest = _Manifest(self.store, whole)
        if whole:
            with clock.stage("store"):
                known = {r.doc_id: r for r in self.store.all_documents()}
                if not listed:
                    self.store.update_document_files(list(known.values()))  # each written again, naming its files
                    self.store.note_files_listed()
            with clock.stage("keywords"):
                self._keywords_repaired(known)
            indexed = self._indexed_files(known)
        else:
            with clock.stage("store"):
                known = self.store.documents_of_files(present)
                indexed = self.store.indexed_files(present)
        # Documents chunked by other rules (before sentences addressing a model were left out, say), from files of this
        # build: taken out of the index and their files read again, so that each is chunked anew and committed whole;
        # the chunks that come out the same are kept, not embedded again.
        stale = {
            d: replace(r, files={s: h for s, h in r.files.items() if file_of(s) not in present})  # those read say again
            for d, r in known.items()
            if r.chunking != CHUNKING and any(file_of(s) in present for s in r.files)
        }
        if stale:
            again = {file_of(s) for d in stale for s in known[d].files}
            with clock.stage("store"):
                self.store.forget_files(again)
                self.store.uncommit_documents(list(stale))
                self.store.publish_changes()  # their chunks are to be read again: no keyword index keeps the old ones
            indexed = {name: digest for name, digest in indexed.items() if name not in again}
            log.info("chunking %d document(s) again under the current rules", len(stale))
        manifest.hold(r for d, r in known.items() if d not in stale)
        records, owners, file_sources = manifest.records, manifest.owners, manifest.file_sources
        # A source claimed by two documents is the trace of an interrupted replacement: its file is read again.
        half_replaced = {file_of(source) for source, doc_ids in owners.items() if len(doc_ids) > 1}

        new: dict[str, _NewDocument] = {}
        jobs: dict[str, _FileJob] = {}
        for done, path in enumerate(files):
            on_progress(BuildProgress("reading", done, len(files)))
            name = display_path(path)
            try:
                digest = file_hash(path, self.settings.max_file_mb)
                if indexed.get(name) == digest and name not in half_replaced:
                    report.unchanged.append(name)
                    continue
                with clock.stage("read"):
                    documents, bad_rows = read_documents(path, self.settings.table_columns)
            except UnreadableFile as error:
                self._report_failure(report, name, error.reason)
                continue
            job = jobs[name] = _FileJob(digest)
            for problem in bad_rows:
                self._report_failure(report, display_path(problem.path), problem.reason)
            with clock.stage("parse"):
                texts = [normalize_text(document.text) for document in documents]
            with clock.stage("store"):
                manifest.hold_texts([text_id(text) for text in texts])
            sources = set()
            for document, text in zip(documents, texts, strict=True):
                source = name + document.locator
                try:
                    doc_id = self._take(document, text, source, digest, records, new, clock, stale)
                except UnreadableFile as error:
                    self._report_failure(report, source, error.reason)
                    continue
                (job.waiting if doc_id in new else job.changed).add(doc_id)
                if doc_id in new and new[doc_id].record.fields.get("instructions"):
                    report.flagged.append(source)
                if owners.get(source) != {doc_id}:
                    report.added.append(source)
                job.superseded += [(previous, source) for previous in owners.get(source, set()) - {doc_id}]
                owners[source] = {doc_id}
                sources.add(source)
            for gone in sorted(file_sources.get(name, set()) - sources - {name}):  # rows deleted from the export
                job.superseded += [(previous, gone) for previous in owners.pop(gone, set())]
                report.removed.append(gone)

        with clock.stage("store"):
            # Before any write for a file read, its mark goes: a build stopped now reads it again, whatever it holds then.
            self.store.forget_files(jobs)
            orphans = 0
            if self._after_interruption:  # only a build or removal stopped half-way leaves chunks of no document
                keep = set(records) | set(new)
                orphans = self.store.remove_orphan_chunks(keep, lambda source: under_roots(file_of(source)))
                self._swept = True
        if orphans:
            log.info("removed the chunks of %d document(s) an interrupted build left for files changed since", orphans)

        waiting_on: dict[str, list[str]] = {}  # a new document -> the files waiting for its commit
        for name, job in jobs.items():
            for doc_id in job.waiting:
                waiting_on.setdefault(doc_id, []).append(name)
            if not job.waiting:
                self._finish_file(name, job, records, clock)

        def finish_files(committed: list[DocumentRecord]) -> None:
            """Finish each file whose last new document is among these, now committed."""
            records.update({r.doc_id: r for r in committed})
            for record in committed:
                for name in waiting_on.pop(record.doc_id, []):
                    jobs[name].waiting.discard(record.doc_id)
                    if not jobs[name].waiting:
                        self._finish_file(name, jobs[name], records, clock)

        self._embed_and_commit(list(new.values()), report, clock, on_progress, finish_files)
        if left := [d for d in stale if d not in records]:  # chunked anew, their file no longer gave them
            self.store.remove_chunks_of(left)
        if prune:
            self._prune(present, under_roots, owners, records, report)
        if report.added or report.removed or report.documents_added:
            on_progress(BuildProgress("keywords", len(files), len(files), report.documents_added, len(new)))
            with clock.stage("keywords"):
                keywords = self._index_changed()
            with clock.stage("overview"):
                self._overview_updated(keywords)
        report.seconds = time.perf_counter() - started
        report.finished = datetime.now(UTC).isoformat(timespec="seconds")
        log.info("build: %s", report.summary().splitlines()[0])
        return report

    def _prune(
        self,
        present: set[str],
        under_roots: Callable[[str], bool],
        owners: dict[str, set[str]],
        records: dict[str, DocumentRecord],
        report: BuildReport,
    ) -> None:
        """Let go of every source under the roots whose file is gone, its mark forgotten first."""
        gone = [s for s in sorted(owners) if file_of(s) not in present and under_roots(file_of(s))]
        self.store.forget_files({file_of(s) for s in gone})
        for source in gone:
            for previous in owners.pop(source):
                self._detach(previous, source, records)
            report.removed.append(source)

    def _indexed_files(self, records: dict[str, DocumentRecord]) -> dict[str, str]:
        """The files marked indexed; an index made before the marks has each single-reply file marked from its document
        (a spreadsheet's rows are read again once, in case a build was stopped among them)."""
        indexed = self.store.indexed_files()
        if not indexed and records:
            indexed = {s: digest for r in records.values() for s, digest in r.files.items() if file_of(s) == s}
            self.store.mark_files_indexed(indexed)
        return indexed

    def _finish_file(self, name: str, job: _FileJob, records: dict[str, DocumentRecord], clock: _Stopwatch) -> None:
        """Record the file's sources on documents already indexed, detach what it no longer holds, and mark it indexed:
        only now, with every document of it committed, may a later build skip it as unchanged (a row that could not be
        read is reported, and reads no better the next time)."""
        with clock.stage("store"):
            self.store.update_document_files([records[d] for d in sorted(job.changed) if d in records])
            # Only now, with the new versions committed, are the old ones let go: a crash before leaves both.
            for doc_id, source in job.superseded:
                self._detach(doc_id, source, records)
            self.store.mark_files_indexed({name: job.digest})

    @staticmethod
    def _report_failure(report: BuildReport, source: str, reason: str) -> None:
        report.failed.append((source, reason))
        log.warning("skipped %s: %s", source, reason)

    def _take(
        self,
        document: SourceDocument,
        text: str,
        source: str,
        digest: str,
        records: dict[str, DocumentRecord],
        new: dict[str, _NewDocument],
        clock: _Stopwatch,
        stale: dict[str, DocumentRecord],
    ) -> str:
        """The document's id (text: its normalised text); a text seen before only gains this source, a new one (or one
        to chunk again: stale) is parsed and chunked."""
        if len(document.text) > self.settings.max_reply_chars:
            raise UnreadableFile(
                Path(source),
                f"too long for one reply: {len(document.text):,} characters, over the {self.settings.max_reply_chars:,} "
                "a reply may hold (setting max_reply_chars); split it into one file per reply",
            )
        with clock.stage("parse"):
            doc_id = text_id(text)
            known = new[doc_id].record if doc_id in new else records.get(doc_id)
            if known is not None:  # the same reply under another name: one more source, no new chunks
                known.files[source] = digest
                return doc_id
            fields = parse_reply(text)
        with clock.stage("chunk"):
            chunks = chunk_document(doc_id, text, fields.sections, self.settings.chunk_chars)
        if not chunks:
            raise UnreadableFile(Path(source), "empty: no sentences after normalisation")
        stated = {"kind": self.settings.table_kind} if document.locator and self.settings.table_kind else {}
        metadata = document_fields(fields.metadata(), {**stated, **document.fields})
        record = DocumentRecord(doc_id, metadata, {source: digest}, len(chunks), len(text), text, CHUNKING)
        earlier = stale.get(doc_id)
        if earlier is not None:  # chunked again: it keeps its sources in files this build does not read, and what an
            # export's columns stated of it when this copy states less
            record.files |= earlier.files
            record.fields = document_fields(
                {k: v for k, v in earlier.fields.items() if k != "instructions"}, {k: v for k, v in metadata.items() if v}
            )
        new[doc_id] = _NewDocument(record, chunks, earlier.n_chunks if earlier else 0)
        return doc_id

    def _embed_and_commit(
        self,
        documents: list[_NewDocument],
        report: BuildReport,
        clock: _Stopwatch,
        on_progress: Callable[[BuildProgress], None],
        committed: Callable[[list[DocumentRecord]], None],
    ) -> None:
        """Embed the chunks not yet stored, a batch at a time whatever the documents, and commit each document as soon
        as all its chunks are stored: progress moves within a long document, and an interrupted build resumes there.
        What is committed is made searchable every PUBLISH_EVERY_S or so, not only at the end."""
        wanted = [c for d in documents for c in d.chunks]
        with clock.stage("store"):
            stored = self.store.stored_chunks([c.chunk_id for c in wanted])
        todo = [(d, c) for d in documents for c in d.chunks if stored.get(c.chunk_id) != (c.text, chunk_fields(d.record, c))]
        report.chunks_reused += len(wanted) - len(todo)
        unstored = Counter(d.record.doc_id for d, _ in todo)
        self._commit([d for d in documents if not unstored[d.record.doc_id]], report, clock, committed)
        started = published = time.perf_counter()
        publish_cost, searchable = 0.0, 0

        def tell(embedded: int) -> None:
            per_chunk = (time.perf_counter() - started) / embedded if embedded else None
            left = per_chunk * (len(todo) - embedded) if per_chunk is not None else None
            done = len(wanted) - len(todo) + embedded
            on_progress(
                BuildProgress(
                    "embedding",
                    documents_done=report.documents_added,
                    documents_total=len(documents),
                    documents_searchable=searchable,
                    chunks_done=done,
                    chunks_total=len(wanted),
                    seconds_left=left,
                )
            )

        tell(0)
        for start in range(0, len(todo), _EMBED_BATCH):
            part = todo[start : start + _EMBED_BATCH]
            with clock.stage("embed"):
                vectors = self.embedder.embed_passages([embedding_text(d.record.title, c.section, c.text) for d, c in part])
            with clock.stage("store"):
                ids, texts = [c.chunk_id for _, c in part], [c.text for _, c in part]
                self.store.add_chunks(ids, texts, vectors, [chunk_fields(d.record, c) for d, c in part])
            unstored.subtract(d.record.doc_id for d, _ in part)
            ready = {d.record.doc_id: d for d, _ in part if not unstored[d.record.doc_id]}
            if self._lock_owner and not self.store.take_build_lock(self._lock_owner, _LOCK_LEASE_S, settle=False):
                raise BuildInProgress("this build lost the index's lock to another machine; what it committed stays")
            self._commit(list(ready.values()), report, clock, committed)
            due = max(self.publish_every_s, _PUBLISH_COST_SHARE * publish_cost)
            if report.documents_added > searchable and time.perf_counter() - published >= due and start + len(part) < len(todo):
                began = time.perf_counter()
                with clock.stage("keywords"):
                    self._index_changed()
                published = time.perf_counter()
                publish_cost, searchable = published - began, report.documents_added
                log.info("%d document(s) searchable while the build goes on", searchable)
            tell(start + len(part))

    def _commit(
        self,
        documents: list[_NewDocument],
        report: BuildReport,
        clock: _Stopwatch,
        committed: Callable[[list[DocumentRecord]], None],
    ) -> None:
        """Write the manifest records of documents whose chunks are all stored: from now on they are indexed."""
        if not documents:
            return
        records = [d.record for d in documents]
        with clock.stage("store"):
            # An earlier chunking's chunks past the new end go before the commit: a committed document is whole.
            past = [chunk_id(d.record.doc_id, i) for d in documents for i in range(d.record.n_chunks, d.chunks_before)]
            self.store.remove_chunks(past)
            self.store.commit_documents(records)
            # Logged at once, so that a build killed from now on leaves these to every keyword index's catch-up.
            self.store.publish_changes()
        report.documents_added += len(records)
        report.chunks_added += sum(r.n_chunks for r in records)
        committed(records)

    def _detach(self, doc_id: str, source: str, records: dict[str, DocumentRecord]) -> None:
        """A source no longer holds this document: drop the source, and the document with its last source."""
        record = records.get(doc_id)
        if record is None or source not in record.files:
            return
        record.files.pop(source)
        if record.files:
            self.store.update_document_files([record])
        else:
            self.store.remove_document(doc_id)
            del records[doc_id]
