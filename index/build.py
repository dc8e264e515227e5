"""Build the index from reply files: read, normalise, parse, chunk, embed, store; skip what has not changed."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm

from index.chunker import Chunk, chunk_document
from index.embedder import Embedder, load_embedder
from index.normalize import normalize_text
from index.readers import UnreadableFile, read_file
from index.store import DocumentRecord, ReplyStore
from index.structure import parse_reply
from settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

# Embedding batch: large enough to keep both cores busy, small enough for steady progress.
_EMBED_BATCH = 64


class BuildInProgress(RuntimeError):
    """Another build holds the lock on this data directory."""


@dataclass
class BuildReport:
    """What a build did, file by file."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"indexed {len(self.added)} file(s) ({self.chunks_added} chunks), "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, {len(self.failed)} failed "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"  FAILED {path}: {reason}" for path, reason in self.failed]
        return "\n".join(lines)


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


def text_id(text: str) -> str:
    """A document is identified by its normalised content, so one reply under two names is stored once."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def embedding_text(title: str, chunk: Chunk) -> str:
    """What the embedder sees: the chunk in the context of its reply and section."""
    return "\n".join(part for part in (title, chunk.section, chunk.text) if part)


class IndexBuilder:
    """Brings the store in line with the files, one document at a time, each committed whole or not at all."""

    def __init__(self, settings: Settings, store: ReplyStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store or ReplyStore(settings)
        self.embedder = embedder or load_embedder(settings.embedder, settings.threads)

    def build(self, paths: list[Path] | None = None, prune: bool = False, progress: bool = True) -> BuildReport:
        lock_path = self.settings.resolve(self.settings.data_dir) / "build.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(lock_path), timeout=0):
                return self._build([self.settings.resolve(p) for p in (paths or self.settings.corpus_paths)], prune, progress)
        except Timeout:
            raise BuildInProgress(f"another index build is running (lock {lock_path}); try again when it ends") from None

    def _build(self, roots: list[Path], prune: bool, progress: bool) -> BuildReport:
        started = time.perf_counter()
        report = BuildReport()
        records = {r.doc_id: r for r in self.store.all_documents()}
        orphans = self.store.remove_orphan_chunks(records)
        if orphans:
            log.info("removed the chunks of %d document(s) left by an interrupted build", orphans)
        owner = {path: r.doc_id for r in records.values() for path in r.files}
        known_hash = {path: h for r in records.values() for path, h in r.files.items()}

        files = find_files(roots)
        for path in tqdm(files, desc="indexing", unit="file", disable=not progress):
            name = display_path(path)
            try:
                digest = file_hash(path, self.settings.max_file_mb)
                if known_hash.get(name) == digest:
                    report.unchanged.append(name)
                    continue
                record = self._index_file(path, name, digest, records)
            except UnreadableFile as error:
                report.failed.append((name, error.reason))
                log.warning("skipped %s: %s", name, error.reason)
                continue
            previous = owner.get(name)
            if previous and previous != record.doc_id:
                self._detach(previous, name, records)
            records[record.doc_id] = record
            owner[name] = record.doc_id
            report.added.append(name)
            report.chunks_added += record.n_chunks if len(record.files) == 1 else 0

        if prune:
            present = {display_path(p) for p in files}
            under_roots = [display_path(r) for r in roots]
            for name in sorted(owner):
                if name not in present and any(name == r or name.startswith(r.rstrip("/") + "/") for r in under_roots):
                    self._detach(owner.pop(name), name, records)
                    report.removed.append(name)
        report.seconds = time.perf_counter() - started
        return report

    def _index_file(self, path: Path, name: str, digest: str, records: dict[str, DocumentRecord]) -> DocumentRecord:
        text = normalize_text(read_file(path))
        doc_id = text_id(text)
        if doc_id in records:  # the same reply under another name: one more source, no new chunks
            record = records[doc_id]
            record.files[name] = digest
            self.store.update_document_files(record)
            return record
        fields = parse_reply(text)
        chunks = chunk_document(doc_id, text, fields.sections, self.settings.chunk_chars)
        if not chunks:
            raise UnreadableFile(path, "empty: no sentences after normalisation")
        metadata = {**fields.metadata(), "year": int(fields.date[:4]) if fields.date else 0}
        vectors = self.embedder.embed_passages([embedding_text(fields.title, c) for c in chunks])
        self.store.add_chunks(
            [c.chunk_id for c in chunks],
            [c.text for c in chunks],
            vectors,
            [
                {**metadata, "doc_id": doc_id, "source": name, "section": c.section, "start": c.start, "end": c.end}
                for c in chunks
            ],
        )
        record = DocumentRecord(doc_id, metadata, {name: digest}, len(chunks), len(text), text)
        self.store.commit_document(record)
        return record

    def _detach(self, doc_id: str, name: str, records: dict[str, DocumentRecord]) -> None:
        """A file no longer holds this document: drop the source, and the document with its last source."""
        record = records.get(doc_id)
        if record is None:
            return
        record.files.pop(name, None)
        if record.files:
            self.store.update_document_files(record)
        else:
            self.store.remove_document(doc_id)
            del records[doc_id]
