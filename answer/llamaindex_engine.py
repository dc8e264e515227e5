"""Dafu's checked answers as a llama-index query engine: the response is the checked answer, its source nodes the cited
spans, and its metadata each sentence's status."""

from __future__ import annotations

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode

from answer.citations import Citation
from answer.engine import AnswerEngine
from index.search import Filters


class DafuQueryEngine(CustomQueryEngine):
    """Ask Dafu from a llama-index pipeline: retrieval, the bundled (or configured) model and the answer check."""

    engine: AnswerEngine
    filters: Filters | None = None

    def custom_query(self, query_str: str) -> Response:
        answer = self.engine.ask(query_str, filters=self.filters)
        return Response(
            response=answer.answer,
            source_nodes=[citation_node(c) for c in answer.citations],
            metadata={
                "refused": answer.refused,
                "sentences": answer.sentences,
                "unsupported": answer.unsupported,
                "related": answer.related,
                "notice": answer.notice,
            },
        )


def citation_node(citation: Citation) -> NodeWithScore:
    """A citation as a source node: the supporting span, where it sits in its reply, and the marker [n] citing it."""
    fields = ("n", "doc_id", "title", "source", "section", "office", "date")
    node = TextNode(
        text=citation.text,
        metadata={f: getattr(citation, f) for f in fields},
        start_char_idx=citation.start,
        end_char_idx=citation.end,
    )
    return NodeWithScore(node=node, score=1.0)
