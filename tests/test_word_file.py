"""Word files a clerk can send: both copies of a draft and of a chat answer written, then read back as Word would
read them: the page, margins, fonts, grid and line spacing of GB/T 9704, and what each copy says."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Twips

from answer import page_layout as layout
from answer.word_file import Paper, answer_paper, copy_paths, draft_paper, write_copies, write_docx
from tests.examples import ANSWER, ELEVATOR, ELEVATOR_SUBSIDY, OFFICE
from text.markers import MARKER

OLD_FIGURE = {**ELEVATOR, "n": 2, "title": "区住房和建设局关于2019年加装电梯工作的答复", "date": "2019-05-10"}
DRAFT = {
    "title": f"{OFFICE}关于【会议届次】第【编号】号建议的答复",
    "salutation": "尊敬的【代表姓名】代表：",
    "opening": f"您提出的关于加大老旧小区加装电梯支持力度的建议收悉。{OFFICE}高度重视，现答复如下：",
    "sections": [
        {
            "heading": "一、关于“提高加装电梯财政补贴标准”的有关情况",
            "status": "covered",
            "sentences": [
                {"text": "我区已将每台最高补助提高至25万元[1]。", "stale": False, "markers": [1]},
                {"text": "已累计完成加装电梯120台[2]。", "stale": True, "markers": [2]},
            ],
            "notes": ["（注：本节数据出自2019年5月10日的答复，可能已有变化，请核实。）"],
            "dropped": [],
        },
        {
            "heading": "二、关于“对新能源汽车充电桩建设给予补贴”的有关情况",
            "status": "missing",
            "sentences": [],
            "notes": [],
            "dropped": [],
            "placeholder": "【待补充：已有答复中没有找到关于“对新能源汽车充电桩建设给予补贴”的内容，请承办人员补充。】",
        },
    ],
    "next_steps": ["三、下一步工作", "【待补充：下一步工作打算，由承办单位根据实际情况填写】"],
    "closing": "感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见。",
    "signature": [OFFICE, "【答复日期】", "（联系人：【待补充】，联系电话：【待补充】）"],
    "citations": [ELEVATOR, OLD_FIGURE],
}


def both(paper: Paper, folder: Path) -> tuple[docx.document.Document, docx.document.Document]:
    checking, clean = write_copies(paper, *copy_paths(folder, paper.title))
    return docx.Document(str(checking)), docx.Document(str(clean))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def east_asian(paragraph) -> set[tuple[str, float]]:
    """The East Asian font and the size (pt) of each run of the paragraph."""
    return {(r._element.rPr.rFonts.get(qn("w:eastAsia")), r.font.size.pt) for r in paragraph.runs}


def paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def assert_laid_out_as_gbt9704(document) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), "A4"
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch, space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    text_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert 22 * pitch <= text_height.twips < 23 * pitch, "22 lines fill the 版心's 225 mm"
    char_pt = layout.BODY_PT + space / 4096
    text_width_pt = Length(section.page_width - section.left_margin - section.right_margin).pt
    assert 28 * char_pt <= text_width_pt < 28 * char_pt + 1, "28 characters fill its 156 mm"
    for p in document.paragraphs:
        assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY and p.paragraph_format.line_spacing == Twips(pitch)
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    assert "PAGE" in odd._element.xml and east_asian(odd) == {("宋体", 14)}


def test_a_draft_is_written_as_a_checking_copy_and_a_clean_copy_laid_out_as_an_official_document(tmp_path: Path):
    checking, clean = both(draft_paper(DRAFT), tmp_path)
    for document in (checking, clean):
        assert_laid_out_as_gbt9704(document)
        title = document.paragraphs[0]
        assert title.text == DRAFT["title"] and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert east_asian(title) == {("方正小标宋简体", 22)}
        assert east_asian(paragraph(document, DRAFT["salutation"])) == {("仿宋_GB2312", 16)}
        assert east_asian(paragraph(document, "三、下一步工作")) == {("黑体", 16)}
        opening = paragraph(document, DRAFT["opening"])
        assert opening.paragraph_format.first_line_indent.pt == 32
        assert opening._element.pPr.ind.get(qn("w:firstLineChars")) == "200"
        for line in (OFFICE, "【答复日期】"):
            assert paragraph(document, line).alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert any(t.startswith("【待补充：已有答复中没有找到") for t in texts(document)), "a placeholder stays visible"

    # The checking copy: as the app shows it, [n] and all, the old figure underlined and noted, the sources after.
    said = texts(checking)
    assert "我区已将每台最高补助提高至25万元[1]。已累计完成加装电梯120台[2]。" in said
    underlined = [r.text for p in checking.paragraphs for r in p.runs if r.underline]
    assert underlined == ["已累计完成加装电梯120台[2]。"]
    assert DRAFT["sections"][0]["notes"][0] in said
    sources = said[said.index("资料来源") + 1 :]
    assert [s[:4] for s in sources] == ["[1] ", "[2] "] and "25万元" in sources[0]
    assert not paragraph(checking, "资料来源").paragraph_format.page_break_before

    # The clean copy: no [n], no marks, no notes; the sources a 附件 on a page of their own.
    said = texts(clean)
    assert not [t for t in said if MARKER.search(t)], "no [n] anywhere, body or 附件"
    assert "我区已将每台最高补助提高至25万元。已累计完成加装电梯120台。" in said
    assert not [r.text for p in clean.paragraphs for r in p.runs if r.underline]
    assert not [t for t in said if "请核实" in t]
    assert said.index("附件：资料来源") == said.index(OFFICE) - 1 > said.index(DRAFT["closing"])
    annex = said.index("附件")
    assert paragraph(clean, "附件").paragraph_format.page_break_before and annex > said.index("【答复日期】")
    assert east_asian(paragraph(clean, "附件")) == {("黑体", 16)}
    assert paragraph(clean, "附件").alignment == WD_ALIGN_PARAGRAPH.LEFT, "附件 in the top left corner, not indented"
    assert said[annex + 1] == "资料来源" and east_asian(clean.paragraphs[annex + 1]) == {("方正小标宋简体", 22)}
    listed = said[annex + 2 :]
    assert len(listed) == 2 and listed[0].startswith("1．区住房和建设局关于加装电梯的答复") and "2024年6月12日" in listed[0]
    assert listed[1].startswith("2．区住房和建设局关于2019年加装电梯工作的答复")


def test_a_chat_answer_is_written_as_both_copies_named_for_its_question(tmp_path: Path):
    paper = answer_paper(ANSWER)
    checking_path, clean_path = copy_paths(tmp_path, paper.title)
    assert checking_path.name == f"核对稿《关于“{ELEVATOR_SUBSIDY}”的回答》.docx"
    assert clean_path.name == f"清稿《关于“{ELEVATOR_SUBSIDY}”的回答》.docx"
    checking, clean = both(paper, tmp_path)
    for document in (checking, clean):
        assert_laid_out_as_gbt9704(document)
        assert document.paragraphs[0].text == f"关于“{ELEVATOR_SUBSIDY}”的回答"
        assert east_asian(paragraph(document, "答复原文")) == {("黑体", 16)}
    assert "每台最高补助25万元[1]。" in texts(checking) and ANSWER["notice"] in texts(checking)
    assert any(t.startswith("[1] 区住房和建设局关于加装电梯的答复") for t in texts(checking))
    said = texts(clean)
    assert not [t for t in said if MARKER.search(t)]
    assert "每台最高补助25万元。" in said and "“每台最高补助由20万元提高至25万元。”（区住房和建设局关于加装电梯的答复）" in said
    assert ANSWER["notice"] not in said, "the checker's notice is for staff"
    assert "附件：资料来源" in said and paragraph(clean, "附件").paragraph_format.page_break_before
    annex = said.index("附件")
    assert said[annex + 1] == "资料来源"
    assert [t[:2] for t in said[annex + 2 :]] == ["1．", "2．"], "the quote, then the cited span"
    assert all(t[2:].startswith("区住房和建设局关于加装电梯的答复") for t in said[annex + 2 :])


def test_headings_are_set_in_heiti_kaiti_then_fangsong_by_level_and_a_long_title_names_a_short_file(tmp_path: Path):
    paper = Paper("关于" + "加装电梯" * 30 + "的回答/草稿")
    paper.add("heading", "一、总体情况", "（一）补助标准", "1.既有住宅", "（1）多层住宅")
    document = docx.Document(str(write_docx(paper, tmp_path / "x.docx")))
    assert east_asian(paragraph(document, "一、总体情况")) == {("黑体", 16)}
    assert east_asian(paragraph(document, "（一）补助标准")) == {("楷体_GB2312", 16)}
    for third_or_fourth in ("1.既有住宅", "（1）多层住宅"):  # GB/T 9704 7.3.3: 仿宋 as the body, its "1." too
        fonts = paragraph(document, third_or_fourth).runs[0]._element.rPr.rFonts
        assert {fonts.get(qn(f"w:{script}")) for script in ("ascii", "hAnsi", "eastAsia")} == {"仿宋_GB2312"}
        assert east_asian(paragraph(document, third_or_fourth)) == {("仿宋_GB2312", 16)}
    checking = copy_paths(tmp_path, paper.title)[0]
    assert len(checking.stem) < 50 and "/" not in checking.name
    assert checking.stem.startswith("核对稿《") and checking.stem.endswith("…》")


def test_the_command_line_writes_the_checking_copy_where_asked_and_the_clean_copy_beside_it(tmp_path: Path):
    from answer.__main__ import write_word

    assert write_word(draft_paper(DRAFT), tmp_path / "草稿.docx") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["草稿.docx", "草稿_清稿.docx"]
    assert "资料来源" in texts(docx.Document(str(tmp_path / "草稿.docx")))
    assert "附件" in texts(docx.Document(str(tmp_path / "草稿_清稿.docx")))
    assert write_word(draft_paper(DRAFT), tmp_path / "草稿.docx" / "x.docx") == 2, "a path that cannot be written is said"


def test_a_related_section_keeps_what_the_precedent_offers_under_its_placeholder(tmp_path: Path):
    related = {
        "heading": "二、关于“减免外摆商户占道费”的有关情况",
        "status": "related",
        "sentences": [{"text": "湖滨路步行街划定临时外摆区域22处[1]。", "stale": False, "markers": [1]}],
        "notes": [],
        "dropped": [],
        "placeholder": "【待补充：已找到的先例[1]只谈到相关情况，没有直接回应“减免外摆商户占道费”。以下内容供参考。】",
    }
    checking, clean = both(draft_paper({**DRAFT, "sections": [DRAFT["sections"][0], related]}), tmp_path)
    for document, sentence in (
        (checking, "湖滨路步行街划定临时外摆区域22处[1]。"),
        (clean, "湖滨路步行街划定临时外摆区域22处。"),
    ):
        said = texts(document)
        placeholder = next(i for i, t in enumerate(said) if t.startswith("【待补充：已找到的先例"))
        assert said[placeholder + 1] == sentence, "what is offered follows the mark, for staff to weigh"
