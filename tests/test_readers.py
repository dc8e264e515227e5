from pathlib import Path

import pytest

from index.build import IndexBuilder
from index.readers import UnreadableFile, read_file
from index.search import Searcher
from index.store import ReplyStore
from tests.conftest import CORPUS, settings_for
from text.normalize import normalize_text
from ui.documents import Documents

SAMPLES = CORPUS / "samples"


def test_docx_paragraphs_and_table_are_read():
    text = normalize_text(read_file(SAMPLES / "s02_zhangzhe_shitang.docx"))
    assert "累计建成社区长者食堂23家" in text
    assert "联系人：邱丽娟" in text  # the contact line sits in a table


def test_pdf_text_layer_is_read_without_running_header_or_page_numbers():
    text = normalize_text(read_file(SAMPLES / "s06_zhihui_tingche.pdf"))
    assert "全区现有路内收费泊位5860个" in text
    assert "累计注册用户28.4万人" in text  # a sentence broken across the page break is whole again
    assert "建议提案办理答复" not in text
    assert "第1页" not in text and "第2页" not in text


def test_html_article_body_without_navigation_scripts_or_footer():
    text = normalize_text(read_file(SAMPLES / "s12_falv_yuanzhu.html"))
    assert "全区共受理法律援助案件2365件" in text
    for junk in ("首页", "政务公开", "不应被索引的脚本", "网站标识码"):
        assert junk not in text


def test_gbk_text_is_decoded(tmp_path: Path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("关于加装电梯的答复，补助标准为每台最高25万元。".encode("gb18030"))
    assert "每台最高25万元" in read_file(path)


def test_utf8_bom_is_dropped(tmp_path: Path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff尊敬的代表：".encode())
    assert normalize_text(read_file(path)) == "尊敬的代表："


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02PK\x00" * 100, "binary"),
        ("broken.docx", b"this is not a zip file", "cannot be read as docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "cannot be read as pdf"),
        ("table.xls", b"whatever", "unsupported file type .xls"),
    ],
)
def test_bad_files_raise_an_error_naming_the_file_and_the_reason(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as error:
        read_file(path)
    assert str(path) in str(error.value)
    assert reason in error.value.reason


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(100, 100, 200, 200, fill=1)  # a picture-like page with no text
    page.save()
    with pytest.raises(UnreadableFile, match="needs OCR"):
        read_file(path)


def test_a_truncated_docx_is_reported_as_damaged_in_the_build_and_in_the_library(tmp_path: Path, embedder):
    whole = (SAMPLES / "s02_zhangzhe_shitang.docx").read_bytes()
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "half.docx").write_bytes(whole[: len(whole) // 2])  # a download or a copy cut off halfway
    settings = settings_for(tmp_path / "data")
    store = ReplyStore(settings)
    report = IndexBuilder(settings, store, embedder).build([folder])
    [(source, reason)] = report.failed
    assert source.endswith("half.docx") and reason.startswith("damaged") and "Package not found" not in reason
    assert f"FAILED {source}: damaged" in report.summary()
    library = Documents(settings, Searcher(settings, store, embedder)).history()
    assert "half.docx：文件已损坏" in library, library
