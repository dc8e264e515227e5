"""Chroma storage: a chunk collection (vectors, text, metadata) and a document manifest that commits each document."""

from __future__ import annotations

import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings

from index.readers import TABLE_SUFFIXES
from settings import Settings

# Chroma caps how many records one call may carry.
_BATCH = 4000
# Documents whose chunks one call reads: a few chunks each, so that a call stays within _BATCH records.
_DOCUMENT_BATCH = 500
# Files named in one query for the records that came from them.
_FILES_A_QUERY = 50
# The records of the state collection: the lock, whether a build or removal is under way, whether every manifest record
# names its files, and the reports of builds (each its own record; "last-build" is the one report an index made before
# the history kept).
_REPORT, _LOCK, _CHANGING, _FILES_LISTED = "last-build", "build-lock", "changing", "files-listed"
# Build reports kept with the index, the newest.
_KEPT_REPORTS = 100
# How long a build waits after writing its lock before reading it back.
_SETTLE_S = 1.0
# Records of the change log read at a time for the documents changed last.
_RECENT_RECORDS = 20
# Records of the change log kept: a keyword index further behind than this is brought in line with the whole manifest.
_KEPT_CHANGES = 1000


def file_of(source: str) -> str:
    """The file a source lives in: a row of an export is named file.xlsx#<row id>."""
    name, _, _ = source.rpartition("#")  # row ids hold no "#", folder and file names may
    return name if name.lower().endswith(TABLE_SUFFIXES) else source


@dataclass
class DocumentRecord:
    """One indexed document: its fields, the files it came from and their content hashes."""

    doc_id: str
    fields: dict[str, str | bool]
    files: dict[str, str] = field(default_factory=dict)  # source path -> sha256 of the file's bytes
    n_chunks: int = 0
    chars: int = 0
    text: str = ""
    chunking: str = ""  # the chunking rules its chunks were made by

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))

    @property
    def sources(self) -> list[str]:
        return sorted(self.files)

    @property
    def file_names(self) -> list[str]:
        """The files it came from, by which a build finds it."""
        return sorted({file_of(source) for source in self.files})

    def to_metadata(self) -> dict[str, str | int | bool | list[str]]:
        return {
            **self.fields,
            "files": json.dumps(self.files, ensure_ascii=False),
            **({"file_names": self.file_names} if self.files else {}),  # Chroma takes no empty list
            "n_chunks": self.n_chunks,
            "chars": self.chars,
            "chunking": self.chunking,
        }

    @classmethod
    def from_metadata(cls, doc_id: str, metadata: dict, text: str = "") -> DocumentRecord:
        meta = dict(metadata)
        files = json.loads(meta.pop("files", "{}"))
        meta.pop("file_names", None)
        n_chunks = int(meta.pop("n_chunks", 0))
        chars = int(meta.pop("chars", 0))
        chunking = str(meta.pop("chunking", ""))
        return cls(doc_id, meta, files, n_chunks, chars, text, chunking)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the index."""

    chunk_id: str
    doc_id: str
    text: str
    metadata: dict

    @property
    def searchable_text(self) -> str:
        """The words a chunk can be found by: its title and section path with its text."""
        return "\n".join((str(self.metadata.get("title", "")), str(self.metadata.get("section", "")), self.text))


def read_all(collection: chromadb.Collection, include: list[str], where: dict | None = None) -> dict[str, list]:
    """Every record of a collection (that the where filter lets through), read a page at a time: one request for
    100,000 records is too large for SQLite."""
    got: dict[str, list] = {"ids": [], **{name: [] for name in include}}
    while True:
        page = collection.get(include=include, where=where, limit=_BATCH, offset=len(got["ids"]))
        for name in got:
            got[name].extend(page[name] or [])
        if len(page["ids"]) < _BATCH:
            return got


class IndexUnavailable(RuntimeError):
    """The index cannot be reached: its Chroma server is down or unreachable."""


# What a Chroma server that has gone away raises.
UNREACHABLE = (httpx.HTTPError, ConnectionError)


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """An embedded persistent Chroma under data_dir, or a Chroma server when chroma_host is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        token = settings.chroma_token
        bearer = settings.chroma_token_header.lower() == "authorization"
        headers = {settings.chroma_token_header: f"Bearer {token}" if bearer else token} if token else None
        server = {"host": settings.chroma_host, "port": settings.chroma_port, "ssl": settings.chroma_ssl}
        try:
            return chromadb.HttpClient(**server, headers=headers, settings=chroma_settings)
        except (ValueError, *UNREACHABLE) as error:
            where = f"{settings.chroma_host}:{settings.chroma_port}"
            raise IndexUnavailable(f"the Chroma server at {where} cannot be reached ({error})") from None
    path = settings.resolve(settings.data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ReplyStore:
    """Chunks and documents of one collection; a document counts as indexed once its manifest record exists."""

    def __init__(self, settings: Settings, client: chromadb.ClientAPI | None = None) -> None:
        self.where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.data_dir)
        self.client = client or open_client(settings)
        self.keyword_folder = settings.resolve(settings.data_dir) / "keywords" / settings.collection
        self.overview_folder = settings.resolve(settings.data_dir) / "overview" / settings.collection
        cosine = {"hnsw": {"space": "cosine"}}
        self.chunks = self.client.get_or_create_collection(settings.collection, configuration=cosine, embedding_function=None)
        self.documents = self.client.get_or_create_collection(f"{settings.collection}-documents", embedding_function=None)
        # What every process working on this index must share, on a Chroma server too: the last build's report, the lock.
        self.state = self.client.get_or_create_collection(f"{settings.collection}-state", embedding_function=None)
        # The files whose every document is committed, with the hash they had: only these may be skipped as unchanged.
        self.files = self.client.get_or_create_collection(f"{settings.collection}-files", embedding_function=None)
        self._touched: set[str] = set()  # documents committed or taken out since the last publish_changes

    # Documents ---------------------------------------------------------------

    def all_documents(self, with_text: bool = False) -> list[DocumentRecord]:
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        got = read_all(self.documents, include)
        texts = got.get("documents") or [""] * len(got["ids"])
        return [DocumentRecord.from_metadata(i, m, t or "") for i, m, t in zip(got["ids"], got["metadatas"], texts, strict=True)]

    def get_documents(self, doc_ids: list[str], with_text: bool = False) -> dict[str, DocumentRecord]:
        """The manifest records of these documents (with their text, when asked), by doc_id, read a batch at a time."""
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        found = {}
        for i in range(0, len(doc_ids), _BATCH):
            got = self.documents.get(ids=doc_ids[i : i + _BATCH], include=include)
            texts = got.get("documents") or [""] * len(got["ids"])
            for d, m, t in zip(got["ids"], got["metadatas"], texts, strict=True):
                found[d] = DocumentRecord.from_metadata(d, m, t or "")
        return found

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return DocumentRecord.from_metadata(doc_id, got["metadatas"][0], got["documents"][0] or "")

    def documents_of_files(self, names: Iterable[str]) -> dict[str, DocumentRecord]:
        """The manifest records of the documents with a source in any of these files, by doc_id (read a page at a time:
        an export may hold more rows than one call returns)."""
        wanted = sorted(set(names))
        found = {}
        for i in range(0, len(wanted), _FILES_A_QUERY):
            clauses = [{"file_names": {"$contains": name}} for name in wanted[i : i + _FILES_A_QUERY]]
            got = read_all(self.documents, ["metadatas"], clauses[0] if len(clauses) == 1 else {"$or": clauses})
            found |= {d: DocumentRecord.from_metadata(d, m) for d, m in zip(got["ids"], got["metadatas"], strict=True)}
        return found

    def files_listed(self) -> bool:
        """Whether every manifest record names its files (file_names), so that a build finds them by file."""
        return bool(self.state.get(ids=[_FILES_LISTED], include=[])["ids"])

    def note_files_listed(self) -> None:
        """Every manifest record names its files."""
        self.state.upsert(ids=[_FILES_LISTED], embeddings=[[1.0]], metadatas=[{"files_listed": 1}])

    def document_count(self) -> int:
        return self.documents.count()

    def document_ids(self) -> set[str]:
        """The ids of every committed document, and nothing else of them."""
        return set(read_all(self.documents, [])["ids"])

    def committed(self, doc_ids: Iterable[str]) -> set[str]:
        """Those of these documents that are committed."""
        wanted = sorted(set(doc_ids))
        return {
            d for i in range(0, len(wanted), _BATCH) for d in self.documents.get(ids=wanted[i : i + _BATCH], include=[])["ids"]
        }

    def commit_documents(self, records: list[DocumentRecord]) -> None:
        """Write the manifest records last: before them, the documents' chunks are invisible orphans."""
        self._touched.update(r.doc_id for r in records)
        for i in range(0, len(records), _BATCH):
            part = records[i : i + _BATCH]
            self.documents.upsert(
                ids=[r.doc_id for r in part],
                embeddings=[[1.0]] * len(part),
                documents=[r.text for r in part],
                metadatas=[r.to_metadata() for r in part],
            )

    def update_document_files(self, records: list[DocumentRecord]) -> None:
        """Record changed lists of source files; the stored texts and chunks stay as they are."""
        for i in range(0, len(records), _BATCH):
            part = records[i : i + _BATCH]
            self.documents.update(ids=[r.doc_id for r in part], metadatas=[r.to_metadata() for r in part])

    def uncommit_documents(self, doc_ids: list[str]) -> None:
        """Take these documents out of the index, their chunks kept for a build to reuse."""
        self._touched.update(doc_ids)
        for i in range(0, len(doc_ids), _BATCH):
            self.documents.delete(ids=doc_ids[i : i + _BATCH])

    def remove_document(self, doc_id: str) -> None:
        """Uncommit first, then drop the chunks, so a crash in between leaves only orphans."""
        self._touched.add(doc_id)
        self.documents.delete(ids=[doc_id])
        self.chunks.delete(where={"doc_id": doc_id})

    def generation(self) -> str:
        """A value that changes whenever a build or a removal changes what is indexed, so that searchers reread."""
        return str(self._manifest_metadata().get("generation", ""))

    def _manifest_metadata(self) -> dict:
        collection = self.client.get_collection(self.documents.name, embedding_function=None)
        return dict(collection.metadata or {})

    def change_position(self) -> tuple[str, int]:
        """(the change log's id, its last record's number): where a keyword index that has caught up stands."""
        position = self._manifest_metadata()
        return str(position.get("log", "")), int(position.get("changes", 0))

    def publish_changes(self, doc_ids: Iterable[str] = ()) -> None:
        """Record in the change log the documents committed or taken out since the last call (and these), then tell
        every searcher. Only the holder of the build lock calls it: the log's numbers are read, then written (each
        record has an id of its own, so that even two writers numbering alike lose nothing)."""
        touched, self._touched = self._touched | set(doc_ids), set()
        position = self._manifest_metadata()
        log, seq = str(position.get("log") or uuid.uuid4().hex), int(position.get("changes", 0))
        if touched:
            seq += 1
            document = json.dumps(sorted(touched), ensure_ascii=False)
            record = {"change": seq, "log": log}
            self.state.add(
                ids=[f"change-{seq}-{uuid.uuid4().hex[:8]}"], embeddings=[[1.0]], documents=[document], metadatas=[record]
            )
            old = self.state.get(where={"change": {"$lte": seq - _KEPT_CHANGES}}, include=[])["ids"]
            if old:
                self.state.delete(ids=old)
        self.documents.modify(metadata={"generation": uuid.uuid4().hex, "log": log, "changes": seq})

    def recent_documents(self, n: int) -> list[DocumentRecord]:
        """Up to n committed documents the change log names last, the latest first: read a few log records at a time
        from the newest, never the manifest whole."""
        log, last = self.change_position()
        oldest_kept = max(0, last - _KEPT_CHANGES)
        named: dict[str, None] = {}  # every document named so far, the latest first
        found: dict[str, DocumentRecord] = {}
        while last > oldest_kept and len(found) < n:
            first = max(oldest_kept, last - _RECENT_RECORDS)
            where = {"$and": [{"change": {"$gt": first}}, {"change": {"$lte": last}}, {"log": log}]}
            got = self.state.get(where=where, include=["documents", "metadatas"])
            newest_first = sorted(zip(got["metadatas"], got["documents"], strict=True), key=lambda pair: -pair[0]["change"])
            new = list(dict.fromkeys(d for _, document in newest_first for d in json.loads(document) if d not in named))
            named |= dict.fromkeys(new)
            for i in range(0, len(new), n):  # a removed document is named but not found: read on until n are
                if len(found) >= n:
                    break
                found |= self.get_documents(new[i : i + n])
            last = first
        return [found[d] for d in named if d in found][:n]

    def changed_since(self, seq: int, position: tuple[str, int]) -> set[str] | None:
        """The documents committed or taken out after record seq of the change log, up to position; None unless the log
        still holds every record in between (it keeps the last _KEPT_CHANGES)."""
        log, last = position
        if seq > last:
            return None
        if seq == last:
            return set()
        where = {"$and": [{"change": {"$gt": seq}}, {"log": log}]}
        got = self.state.get(where=where, include=["documents", "metadatas"])
        if not set(range(seq + 1, last + 1)) <= {m["change"] for m in got["metadatas"]}:
            return None
        return {d for document in got["documents"] for d in json.loads(document)}

    # Files -------------------------------------------------------------------

    def indexed_files(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """Each file read to its end with every document committed (of these names, when given): its name and the
        sha256 it had then."""
        if names is None:
            metadatas = read_all(self.files, ["metadatas"])["metadatas"]
        else:
            keys = [_file_key(name) for name in dict.fromkeys(names)]
            parts = (keys[i : i + _BATCH] for i in range(0, len(keys), _BATCH))
            metadatas = [m for part in parts for m in self.files.get(ids=part, include=["metadatas"])["metadatas"]]
        return {m["name"]: m["sha256"] for m in metadatas}

    def mark_files_indexed(self, digests: dict[str, str]) -> None:
        """Each of these files (name -> sha256) read to its end with every document committed."""
        names = list(digests)
        for i in range(0, len(names), _BATCH):
            part = names[i : i + _BATCH]
            metadatas = [{"name": name, "sha256": digests[name]} for name in part]
            self.files.upsert(ids=[_file_key(n) for n in part], embeddings=[[1.0]] * len(part), metadatas=metadatas)

    def forget_files(self, names: Iterable[str]) -> None:
        """These files are to be read again by the next build that meets them."""
        keys = [_file_key(name) for name in names]
        if keys:
            self.files.delete(ids=keys)

    # Shared state ------------------------------------------------------------

    def save_report(self, report: dict) -> None:
        """Keep a build's report beside the earlier ones; the oldest go past _KEPT_REPORTS."""
        key = f"report-{uuid.uuid4().hex}"
        document = json.dumps(report, ensure_ascii=False)
        self.state.add(ids=[key], embeddings=[[1.0]], documents=[document], metadatas=[{"report": 1, "at": time.time()}])
        got = self.state.get(where={"report": 1}, include=["metadatas"])
        kept = sorted(zip(got["ids"], got["metadatas"], strict=True), key=lambda pair: -pair[1]["at"])
        if len(kept) > _KEPT_REPORTS:
            self.state.delete(ids=[key for key, _ in kept[_KEPT_REPORTS:]])

    def reports(self, n: int) -> list[dict]:
        """The reports of the last n builds, newest first."""
        got = self.state.get(where={"report": 1}, include=["documents", "metadatas"])
        ordered = sorted(zip(got["documents"], got["metadatas"], strict=True), key=lambda pair: -pair[1]["at"])
        found = [json.loads(document) for document, _ in ordered[:n]]
        if len(found) < n:
            legacy = self.state.get(ids=[_REPORT], include=["documents"])
            found += [json.loads(legacy["documents"][0])] if legacy["ids"] and legacy["documents"][0] else []
        return found

    def take_build_lock(self, owner: str, lease_s: float, settle: bool = True) -> bool:
        """Hold the index's build lock for lease_s seconds, unless another holds it: on a Chroma server two machines
        may build into one collection. Chroma has no compare-and-set, so the lock is read back after it is written."""
        got = self.state.get(ids=[_LOCK], include=["metadatas"])
        if got["ids"] and got["metadatas"][0]["owner"] != owner and got["metadatas"][0]["until"] > time.time():
            return False
        self.state.upsert(ids=[_LOCK], embeddings=[[1.0]], metadatas=[{"owner": owner, "until": time.time() + lease_s}])
        if settle:  # another machine that read the lock free before this write has written by now
            time.sleep(_SETTLE_S)
        again = self.state.get(ids=[_LOCK], include=["metadatas"])
        return bool(again["ids"]) and again["metadatas"][0]["owner"] == owner

    def changing(self, under_way: bool) -> bool:
        """Say whether a build or removal is under way; whether the one before was still under way (stopped half-way,
        or an index older than this record)."""
        got = self.state.get(ids=[_CHANGING], include=["metadatas"])
        before = not got["ids"] or bool(got["metadatas"][0]["under_way"])
        self.state.upsert(ids=[_CHANGING], embeddings=[[1.0]], metadatas=[{"under_way": int(under_way)}])
        return before

    def release_build_lock(self, owner: str) -> None:
        got = self.state.get(ids=[_LOCK], include=["metadatas"])
        if got["ids"] and got["metadatas"][0]["owner"] == owner:
            self.state.delete(ids=[_LOCK])

    # Chunks ------------------------------------------------------------------

    def add_chunks(self, ids: list[str], texts: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        for i in range(0, len(ids), _BATCH):
            self.chunks.upsert(
                ids=ids[i : i + _BATCH],
                documents=texts[i : i + _BATCH],
                embeddings=vectors[i : i + _BATCH],
                metadatas=metadatas[i : i + _BATCH],
            )

    def stored_chunks(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """(text, metadata) of each of these chunks already stored, by id: an interrupted build's part of a document, or
        what the chunking before the current one stored of it."""
        found: dict[str, tuple[str, dict]] = {}
        for i in range(0, len(ids), _BATCH):
            got = self.chunks.get(ids=ids[i : i + _BATCH], include=["documents", "metadatas"])
            found.update(zip(got["ids"], zip(got["documents"], got["metadatas"], strict=True), strict=True))
        return found

    def remove_chunks(self, ids: list[str]) -> None:
        for i in range(0, len(ids), _BATCH):
            self.chunks.delete(ids=ids[i : i + _BATCH])

    def remove_chunks_of(self, doc_ids: list[str]) -> None:
        """Every chunk of these documents, a few hundred documents a call."""
        for i in range(0, len(doc_ids), _DOCUMENT_BATCH):
            self.chunks.delete(where={"doc_id": {"$in": doc_ids[i : i + _DOCUMENT_BATCH]}})

    def remove_orphan_chunks(self, keep: Iterable[str], belongs: Callable[[str], bool]) -> int:
        """Chunks of documents neither committed nor being built whose source belongs to this build (an interrupted
        build's, of a file changed since); another build's interrupted work stays for it to resume."""
        keep = set(keep)
        sources = {m["doc_id"]: m.get("source", "") for m in read_all(self.chunks, ["metadatas"])["metadatas"]}
        orphans = sorted(d for d, source in sources.items() if d not in keep and belongs(str(source)))
        self.remove_chunks_of(orphans)
        return len(orphans)

    def committed_chunks(self) -> list[StoredChunk]:
        """The chunks of committed documents: the orphans of a killed build are invisible."""
        committed = {r.doc_id for r in self.all_documents()}
        return [c for c in self.all_chunks() if c.doc_id in committed]

    def all_chunks(self) -> list[StoredChunk]:
        got = read_all(self.chunks, ["metadatas", "documents"])
        return [StoredChunk(i, m["doc_id"], t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def chunks_of(self, doc_ids: Iterable[str]) -> Iterator[list[StoredChunk]]:
        """The chunks of these documents, a few hundred documents at a time."""
        wanted = sorted(set(doc_ids))
        for i in range(0, len(wanted), _DOCUMENT_BATCH):
            got = self.chunks.get(where={"doc_id": {"$in": wanted[i : i + _DOCUMENT_BATCH]}}, include=["documents", "metadatas"])
            yield [
                StoredChunk(c, m["doc_id"], t, m) for c, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]

    def read_chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        """These chunks by id, those still stored (a search's hits: read when it returns them)."""
        return {i: StoredChunk(i, m["doc_id"], t, m) for i, (t, m) in self.stored_chunks(ids).items()}

    def document_vectors(self, doc_ids: list[str]) -> dict[str, np.ndarray]:
        """Each document's vector: the normalised mean of its chunks' vectors, as stored (nothing is embedded again)."""
        sums: dict[str, np.ndarray] = {}
        for i in range(0, len(doc_ids), _DOCUMENT_BATCH):
            where = {"doc_id": {"$in": doc_ids[i : i + _DOCUMENT_BATCH]}}
            got = self.chunks.get(where=where, include=["embeddings", "metadatas"])
            for vector, metadata in zip(got["embeddings"], got["metadatas"], strict=True):
                doc_id = metadata["doc_id"]
                sums[doc_id] = sums.get(doc_id, 0) + np.asarray(vector, dtype=np.float32)
        return {d: v / (np.linalg.norm(v) or 1.0) for d, v in sums.items()}

    def nearest_chunks(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, str, float]]:
        """(chunk id, doc_id, cosine similarity) of the k chunks closest to vector, optionally filtered by metadata. No
        texts, and no count first: at 500,000 chunks a count costs more than the query."""
        include = ["distances", "metadatas"]
        got = self.chunks.query(query_embeddings=[vector.tolist()], n_results=k, where=where or None, include=include)
        found = zip(got["ids"][0], got["metadatas"][0], got["distances"][0], strict=True)
        return [(i, m["doc_id"], 1.0 - d) for i, m, d in found]


def _file_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _reachable(method: Callable) -> Callable:
    """The store's method, with a Chroma server that has gone away reported as IndexUnavailable."""

    @functools.wraps(method)
    def call(self: ReplyStore, *args: object, **kwargs: object) -> object:
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            raise IndexUnavailable(f"the Chroma server at {self.where} cannot be reached ({error})") from None

    return call


for _name, _method in list(vars(ReplyStore).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(ReplyStore, _name, _reachable(_method))
