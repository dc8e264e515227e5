"""Dafu's checked answers as a llama-index query engine: the response is the checked summary, its source nodes the
reply's own sentences that answer (答复原文) then the spans the summary cites, and its metadata each sentence's status."""

from __future__ import annotations

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode

from answer.citations import Citation
from answer.engine import AnswerEngine
from index.filters import Filters


class DafuQueryEngine(CustomQueryEngine):
    """Ask Dafu from a llama-index pipeline: retrieval, the bundled (or configured) model and the answer check."""

    engine: AnswerEngine
    filters: Filters | None = None

    def custom_query(self, query_str: str) -> Response:
        answer = self.engine.ask(query_str, filters=self.filters)
        return Response(
            response=answer.answer,
            source_nodes=[quote_node(q) for q in answer.quotes] + [citation_node(c) for c in answer.citations],
            metadata={
                "refused": answer.refused,
                "quotes": answer.quotes,
                "sentences": answer.sentences,
                "unsupported": answer.unsupported,
                "related": answer.related,
                "notice": answer.notice,
            },
        )


_FIELDS = ("n", "doc_id", "title", "source", "section", "office", "date")


def quote_node(quote: dict) -> NodeWithScore:
    """A sentence of 答复原文 as a source node: its text, where it sits in its reply, and the passage number it is from."""
    node = TextNode(
        text=quote["text"],
        metadata={"role": "quote", **{f: quote[f] for f in _FIELDS}},
        start_char_idx=quote["start"],
        end_char_idx=quote["end"],
    )
    return NodeWithScore(node=node, score=quote["score"])


def citation_node(citation: Citation) -> NodeWithScore:
    """A citation as a source node: the supporting span, where it sits in its reply, and the marker [n] citing it."""
    node = TextNode(
        text=citation.text,
        metadata={"role": "citation", **{f: getattr(citation, f) for f in _FIELDS}},
        start_char_idx=citation.start,
        end_char_idx=citation.end,
    )
    return NodeWithScore(node=node, score=1.0)
