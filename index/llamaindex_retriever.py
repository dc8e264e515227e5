"""Dafu's hybrid search as a llama-index retriever: its nodes carry the reply's fields and their character offsets
in the normalised reply, and llama-index metadata filters become Dafu's filters."""

from __future__ import annotations

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilters

from index.filters import Filters
from index.search import Hit, Searcher

# The fields a llama-index filter may name, as Dafu's Filters call them.
_EQUAL_FIELDS = ("kind", "signing_office", "session", "addressee")


class DafuRetriever(BaseRetriever):
    """Hybrid (dense + BM25) search over a Dafu index, for any llama-index pipeline."""

    def __init__(self, searcher: Searcher, top_k: int = 5, filters: Filters | MetadataFilters | None = None) -> None:
        super().__init__()
        self.searcher = searcher
        self.top_k = top_k
        self.filters = dafu_filters(filters) if isinstance(filters, MetadataFilters) else filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [hit_node(hit) for hit in self.searcher.search(query_bundle.query_str, self.top_k, self.filters)]


def hit_node(hit: Hit) -> NodeWithScore:
    """A retrieved passage as a llama-index node: id, text, the reply's fields, and its span in the reply."""
    meta = {k: v for k, v in hit.meta.items() if isinstance(v, str | int | float) and v is not None}
    node = TextNode(
        id_=hit.chunk.chunk_id,
        text=hit.chunk.text,
        metadata={**meta, "doc_id": hit.chunk.doc_id, "coverage": round(hit.coverage, 3)},
        start_char_idx=int(hit.meta.get("start", 0)),
        end_char_idx=int(hit.meta.get("end", 0)),
    )
    return NodeWithScore(node=node, score=hit.score)


def dafu_filters(filters: MetadataFilters) -> Filters:
    """llama-index metadata filters as Dafu's: equality on kind, signing_office, session or addressee; year by ==, >=,
    >, <= or <, all joined by AND. Anything else is a ValueError naming the filter, not a silently wider search."""
    if filters.condition not in (None, FilterCondition.AND):
        raise ValueError(f"only AND filters are supported, not {filters.condition}")
    fields: dict = {}
    for item in filters.filters:
        if isinstance(item, MetadataFilters):
            raise ValueError("nested metadata filters are not supported")
        if item.key in _EQUAL_FIELDS and item.operator == FilterOperator.EQ:
            fields[item.key] = str(item.value)
        elif item.key == "year" and item.operator in _YEAR_BOUNDS:
            for bound, shift in _YEAR_BOUNDS[item.operator]:
                fields[bound] = int(item.value) + shift
        else:
            raise ValueError(f"filter {item.key} {item.operator.value} {item.value!r} is not supported")
    return Filters(**fields)


_YEAR_BOUNDS = {
    FilterOperator.EQ: (("year_from", 0), ("year_to", 0)),
    FilterOperator.GTE: (("year_from", 0),),
    FilterOperator.GT: (("year_from", 1),),
    FilterOperator.LTE: (("year_to", 0),),
    FilterOperator.LT: (("year_to", -1),),
}
