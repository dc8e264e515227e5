from index.chunker import chunk_document, sentence_spans
from index.normalize import normalize_text
from index.structure import iso_date, parse_reply
from tests.conftest import CORPUS, SEED


def seed_text() -> str:
    return normalize_text(SEED.read_text(encoding="utf-8"))


def test_seed_header_fields():
    fields = parse_reply(seed_text())
    assert fields.title == "区科创局关于区八届人大第四次会议代表建议第20240221号的主办意见"
    assert fields.kind == "代表建议"
    assert fields.number == "20240221"
    assert fields.session == "区八届人大第四次会议"
    assert fields.addressee == "丁长义代表"
    assert fields.subject.startswith("关于河套深港科技创新合作区进一步加强改革探索")
    assert fields.signing_office == "福田区科技创新局"
    assert fields.date == "2024-05-09"
    assert fields.contact == "蔡小勇 23949461"
    assert not fields.is_sample


def test_samples_are_marked_and_proposals_recognised():
    text = normalize_text((CORPUS / "samples" / "s09_zhongxiao_qiye_rongzi.txt").read_text(encoding="utf-8"))
    fields = parse_reply(text)
    assert fields.is_sample
    assert fields.kind == "政协提案"
    assert fields.addressee == "吴启明委员"
    assert fields.date == "2023-06-09"


def test_dates_in_several_forms_become_iso():
    assert iso_date("2024 年 5 月 9 日") == "2024-05-09"
    assert iso_date("2024/5/9") == "2024-05-09"
    assert iso_date("于2023-11-20印发") == "2023-11-20"
    assert iso_date("2023 年 13 月 1 日") == ""


def test_seed_section_tree_nests_sub_items_under_sections():
    paths = {s.path for s in parse_reply(seed_text()).sections}
    assert "一、关于“建立创新文化氛围，提供优质创新服务”相关情况 > （二）打造具有国际竞争力的引才用才机制" in paths
    assert "三、关于“探索科研数据资源跨境流通与使用有效路径”的相关情况" in paths


def test_chunks_hold_whole_sentences_with_exact_offsets():
    text = seed_text()
    fields = parse_reply(text)
    chunks = chunk_document("seed", text, fields.sections, max_chars=200)
    sentence_ends = {e for s, e in sentence_spans(text)}
    assert len(chunks) > 5
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.end in sentence_ends, f"chunk {chunk.index} cuts a sentence: …{chunk.text[-20:]}"
    data_chunk = next(c for c in chunks if "777" in c.text)
    assert data_chunk.section.startswith("三、关于“探索科研数据资源跨境流通")


def test_sentences_split_on_chinese_terminators():
    text = "一是加密监测。二是强化联动；三是公开信息！是否可行？"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["一是加密监测。", "二是强化联动；", "三是公开信息！", "是否可行？"]
