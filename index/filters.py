"""What a search is restricted to: year, office, kind, session, addressee; read by both sides of retrieval."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from text.offices import abbreviated

# The fields a filter names, as both the chunks in Chroma and the keyword index hold them.
FILTER_FIELDS = ("kind", "session", "addressee", "signing_office")


@dataclass(frozen=True)
class Filters:
    """Metadata a search is restricted to; empty fields do not filter. Applied to both retrievers."""

    year_from: int | None = None
    year_to: int | None = None
    signing_office: str = ""  # a full name or a part of one: "住房和建设局" finds "南湖区住房和建设局"
    kind: str = ""
    session: str = ""
    addressee: str = ""
    offices: tuple[str, ...] | None = None  # the indexed signing offices signing_office names, once looked up

    def equalities(self) -> dict[str, str]:
        """The fields that must equal a value (signing_office only until it is looked up among the offices)."""
        named = {"kind": self.kind, "session": self.session, "addressee": self.addressee}
        if self.offices is None:
            named["signing_office"] = self.signing_office
        return {k: v for k, v in named.items() if v}

    @property
    def restricts(self) -> bool:
        return bool(self.equalities()) or self.offices is not None or self.year_from is not None or self.year_to is not None

    def where(self) -> dict | None:
        """The same restriction as a Chroma where clause."""
        clauses: list[dict] = [{k: v} for k, v in self.equalities().items()]
        if self.offices is not None:
            clauses.append({"signing_office": {"$in": list(self.offices)}})
        if self.year_from is not None:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            clauses.append({"year": {"$lte": self.year_to}})
        return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, metadata: dict) -> bool:
        """Whether a reply's (or a chunk's) fields pass the filters."""
        year = int(metadata.get("year", 0) or 0)
        return (
            all(metadata.get(k) == v for k, v in self.equalities().items())
            and (self.offices is None or metadata.get("signing_office") in self.offices)
            and (self.year_from is None or year >= self.year_from)
            and (self.year_to is None or year <= self.year_to)
        )

    def with_offices(self, indexed: Iterable[str]) -> Filters:
        """The filters with signing_office looked up among the indexed offices, by part of the name or its short form."""
        if not self.signing_office or self.offices is not None:
            return self
        wanted, short = self.signing_office, abbreviated(self.signing_office)
        named = {o for o in set(indexed) if o and (wanted in o or short in abbreviated(o))}
        return replace(self, offices=tuple(sorted(named)))

    def describe(self) -> str:
        """The filters in words, for telling the user what they restricted."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            first, last = self.year_from, self.year_to
            parts.append(f"{first}年" if first == last else f"{first or ''}–{last or ''}年")
        parts += [v for v in (self.kind, self.session, self.addressee) if v]
        if self.signing_office:
            parts.append(f"答复单位含“{self.signing_office}”")
        return "，".join(parts)
