"""Write three sample replies as DOCX, PDF (with a text layer) and HTML, so every reader has a real file to read.

Run: .venv/bin/python scripts/make_sample_formats.py   (the outputs are committed under corpus/samples/)
"""

from __future__ import annotations

import html
from pathlib import Path

from docx import Document
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sample_sources"
OUT = ROOT / "corpus" / "samples"


def paragraphs(name: str) -> list[str]:
    text = (SOURCES / name).read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def write_docx(name: str, target: Path) -> None:
    """Paragraphs, with the sample note and the contact line in a two-column table."""
    document = Document()
    for paragraph in paragraphs(name):
        if paragraph.startswith(("（联系人", "(联系人")):
            table = document.add_table(rows=1, cols=2)
            contact, _, phone = paragraph.strip("（）()").partition(" ")
            table.rows[0].cells[0].text = contact
            table.rows[0].cells[1].text = phone
            continue
        run = document.add_paragraph().add_run(paragraph)
        run.font.size = Pt(12)
    document.save(str(target))


def write_pdf(name: str, target: Path) -> None:
    """A text-layer PDF in a built-in CJK font, with a running header and page numbers as OA exports have."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK")

    def header_footer(canvas, doc) -> None:
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(72, A4[1] - 40, "南湖区交通运输局 建议提案办理答复")
        canvas.drawCentredString(A4[0] / 2, 30, f"第 {doc.page} 页")

    story = []
    for paragraph in paragraphs(name):
        story += [Paragraph(html.escape(paragraph), style), Spacer(1, 8)]
    SimpleDocTemplate(str(target), pagesize=A4, title="sample reply").build(
        story, onFirstPage=header_footer, onLaterPages=header_footer
    )


def write_html(name: str, target: Path) -> None:
    """A page as saved from a government website: navigation and footer around the article."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(name))
    target.write_text(
        f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>建议提案答复</title>
<script>var tracker = "不应被索引的脚本";</script></head>
<body>
<header><div class="logo">南湖区人民政府门户网站</div></header>
<nav><a href="#">首页</a> <a href="#">政务公开</a> <a href="#">建议提案办理</a></nav>
<article>
{body}
</article>
<footer>主办：南湖区人民政府办公室 网站标识码 0000000000</footer>
</body></html>
""",
        encoding="utf-8",
    )


def main() -> None:
    write_docx("s02_zhangzhe_shitang.txt", OUT / "s02_zhangzhe_shitang.docx")
    write_pdf("s06_zhihui_tingche.txt", OUT / "s06_zhihui_tingche.pdf")
    write_html("s12_falv_yuanzhu.txt", OUT / "s12_falv_yuanzhu.html")


if __name__ == "__main__":
    main()
