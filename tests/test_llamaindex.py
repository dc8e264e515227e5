"""Dafu inside plain llama-index pipelines: its retriever under llama-index's own query engine, its metadata filters,
and its checked answers as a query engine a llama-index tool calls (through the real bundled LLM)."""

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.tools import QueryEngineTool
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from answer.engine import AnswerEngine
from answer.llamaindex_engine import DafuQueryEngine
from index.llamaindex_retriever import DafuRetriever
from tests.examples import ELEVATOR_SUBSIDY, SCHOLARSHIP


def test_llama_indexs_own_query_engine_runs_on_dafus_retriever(searcher, corpus_store):
    pipeline = RetrieverQueryEngine.from_args(DafuRetriever(searcher, top_k=3), llm=MockLLM())
    response = pipeline.query(ELEVATOR_SUBSIDY)
    assert len(response.source_nodes) == 3
    best = response.source_nodes[0]
    assert "电梯" in best.node.get_content()
    assert best.node.metadata["signing_office"] and best.node.metadata["title"]
    document = corpus_store.get_document(best.node.metadata["doc_id"])
    assert document.text[best.node.start_char_idx : best.node.end_char_idx] == best.node.get_content()


def test_llama_index_metadata_filters_restrict_dafus_search(searcher):
    filters = MetadataFilters(
        filters=[
            MetadataFilter(key="year", value=2024, operator=FilterOperator.GTE),
            MetadataFilter(key="kind", value="代表建议"),
        ]
    )
    nodes = DafuRetriever(searcher, top_k=5, filters=filters).retrieve("补贴")
    assert nodes
    assert all(n.node.metadata["year"] >= 2024 and n.node.metadata["kind"] == "代表建议" for n in nodes)
    with pytest.raises(ValueError, match="title"):
        DafuRetriever(searcher, filters=MetadataFilters(filters=[MetadataFilter(key="title", value="x")]))


@pytest.mark.llm
def test_a_llama_index_tool_gets_dafus_checked_answer_with_the_cited_spans(corpus_settings, searcher, bundled_llm, corpus_store):
    tool = QueryEngineTool.from_defaults(
        query_engine=DafuQueryEngine(engine=AnswerEngine(corpus_settings, searcher, bundled_llm)),
        name="dafu",
        description="政府部门对建议、提案和留言的答复",
    )
    output = tool.call(SCHOLARSHIP)
    response = output.raw_output
    assert "50万元" in response.response and not response.metadata["refused"]
    roles = [source.node.metadata["role"] for source in response.source_nodes]
    assert roles[0] == "quote" and "citation" in roles, "答复原文 first, then the spans the summary cites"
    assert any("50万元" in s.node.get_content() for s in response.source_nodes if s.node.metadata["role"] == "quote")
    for source in response.source_nodes:
        document = corpus_store.get_document(source.node.metadata["doc_id"])
        assert document.text[source.node.start_char_idx : source.node.end_char_idx] == source.node.get_content()
        if source.node.metadata["role"] == "citation":
            assert f"[{source.node.metadata['n']}]" in response.response
    assert all(s["status"] == "supported" for s in response.metadata["sentences"] if s["markers"])
