from eval.size import fill
from index.store import ReplyStore
from tests.conftest import settings_for


def test_the_size_benchmark_grows_an_index_into_a_larger_one_without_reusing_an_id(tmp_path, corpus_store):
    base = corpus_store.all_documents(with_text=True), corpus_store.committed_chunks()
    store = ReplyStore(settings_for(tmp_path, collection="size"))
    for scale in (len(base[1]) // 2, 17 * len(base[1]) // 10, 5 * len(base[1]) // 2):  # fills ending inside a copy
        assert fill(store, *base, scale) > 0
        assert store.chunks.count() == scale  # an id used twice would be overwritten, and the count fall short
