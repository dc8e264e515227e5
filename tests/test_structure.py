import pytest

from index.chunker import chunk_document
from index.readers import read_file
from index.structure import parse_reply
from tests.conftest import CORPUS, SEED
from tests.examples import SEED_TITLE
from text.dates import iso_date
from text.normalize import normalize_text
from text.sentences import sentence_spans


def seed_text() -> str:
    return normalize_text(SEED.read_text(encoding="utf-8"))


def test_seed_header_fields():
    fields = parse_reply(seed_text())
    assert fields.title == SEED_TITLE
    assert fields.kind == "代表建议"
    assert fields.number == "20240221"
    assert fields.session == "区八届人大第四次会议"
    assert fields.addressee == "丁长义代表"
    assert fields.subject.startswith("关于河套深港科技创新合作区进一步加强改革探索")
    assert fields.signing_office == "福田区科技创新局"
    assert fields.lead_office == "福田区科技创新局"
    assert fields.co_offices == ""
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


def sample_fields(name: str):
    return parse_reply(normalize_text(read_file(CORPUS / "samples" / name)))


@pytest.mark.parametrize(
    ("sample", "lead", "co"),
    [
        # 主办意见 titles; co-handlers named by "会同……等会办单位"
        ("s01_xuewei_gongji.txt", "南湖区教育局", "区发展和改革局、区住房和建设局、区财政局"),
        ("s08_jiating_yisheng.txt", "南湖区卫生健康局", "区财政局、东江市医疗保障局南湖分局"),
        ("s09_zhongxiao_qiye_rongzi.txt", "南湖区工业和信息化局", "区财政局、区发展和改革局、人民银行东江市中心支行"),
        ("s10_yejian_jingji.txt", "南湖区文化广电旅游体育局", "区工业和信息化局、区城市管理和综合执法局、东江市公安局南湖分局"),
        # "我局作为主办单位，会同……进行了认真研究"
        ("s04_laji_fenlei.txt", "南湖区城市管理和综合执法局", "区住房和建设局、区教育局、各街道办事处"),
        # "由我局主办，……会办", the title plain 答复 (s02) or 主办意见
        ("s02_zhangzhe_shitang.docx", "南湖区民政局", "区财政局、区市场监督管理局"),
        (
            "s06_zhihui_tingche.pdf",
            "南湖区交通运输局",
            "区城市管理和综合执法局、区住房和建设局、东江市公安局交通警察支队南湖大队",
        ),
        ("s07_qingnian_rencai_gongyu.txt", "南湖区住房和建设局", "区人力资源局"),
        ("s13_fangxun_binan_changsuo.txt", "南湖区应急管理局", "区水务局、区住房和建设局、区教育局"),
        # 会办意见: the signing office is a co-handler, "由……主办" names the lead
        ("s05_heichou_shuiti.txt", "东江市水务局", "南湖区生态环境局"),
        ("s11_xiaoyuan_shipin_anquan.txt", "区教育局", "南湖区市场监督管理局"),
        # 主办意见 whose "会同……" does not say the offices are 会办单位: the lead only
        ("s03_jiazhuang_dianti_2022.txt", "南湖区住房和建设局", ""),
        ("s14_jiazhuang_dianti_2024.txt", "南湖区住房和建设局", ""),
        # a plain 答复 that names 会办单位 but not its own role
        ("s12_falv_yuanzhu.html", "", "区人力资源局、区民政局"),
    ],
)
def test_lead_and_co_handling_offices_of_samples(sample: str, lead: str, co: str):
    fields = sample_fields(sample)
    assert (fields.lead_office, fields.co_offices) == (lead, co)
    assert "我局" not in fields.lead_office + fields.co_offices


def test_handling_offices_from_header_lines_and_only_where_stated():
    header = "主办单位：本局；会办单位：区民政局和区住房和建设局、区教育局等"
    text = f"关于X的答复\n\n{header}\n\n尊敬的张三代表：\n\n正文。\n\n南湖区财政局\n\n2021年6月1日"
    fields = parse_reply(text)
    assert fields.lead_office == "南湖区财政局"
    assert fields.co_offices == "区民政局、区住房和建设局、区教育局"
    body = "“创新论坛”由区科创局主办，区民政局会办。"
    text = f"关于X的答复\n\n尊敬的张三代表：\n\n现答复如下：\n\n一、情况\n\n{body}\n\n南湖区司法局\n\n2021年6月1日"
    fields = parse_reply(text)
    assert (fields.lead_office, fields.co_offices) == ("", "")
    assert {"lead_office": "", "co_offices": ""}.items() <= fields.metadata().items()


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
