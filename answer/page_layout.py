"""The page of an official document as GB/T 9704-2012 (党政机关公文格式) sets it: A4, the 版心, the fonts and sizes of
title, body and headings, 22 lines of 28 characters, the page number. Every Word file the app writes takes its layout
from here."""

from __future__ import annotations

from math import floor

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4 (5.2)
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37, 35, 28, 26  # 天头 37 mm, 订口 28 mm (5.2.2): the 版心 is what is left
TEXT_WIDTH_MM = PAGE_WIDTH_MM - LEFT_MM - RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - TOP_MM - BOTTOM_MM  # 225
LINES, CHARS = 22, 28  # per page and per line (7.1)

# Names as the standard gives them (East Asian fonts): a PC set up for 公文 has them, Word substitutes the nearest if not.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
# 一级 "一、" in 黑体, 二级 "（一）" in 楷体, 三级 "1." and 四级 "（1）" in 仿宋 as the body (7.3.3).
HEADING_FONTS = ("黑体", "楷体_GB2312", BODY_FONT)
PAGE_NUMBER_FONT = "宋体"
TITLE_PT, BODY_PT, PAGE_NUMBER_PT = 22, 16, 14  # 2号, 3号, 4号
INDENT_CHARS = 2  # first line of a paragraph; the signature and the page number stand this far from the edge
PAGE_NUMBER_GAP_MM = 7  # between the 版心 and the page number (7.5)

_TWIPS_PER_MM = 1440 / 25.4
# 22 lines fill the 版心: each line's pitch, in twips, rounded down so the 22nd still fits.
LINE_PITCH_TWIPS = floor(TEXT_HEIGHT_MM * _TWIPS_PER_MM / LINES)  # 579
# 28 characters fill a line: Word's grid pitch is the body size plus charSpace 4096ths of a point (ECMA-376 17.6.5).
CHAR_SPACE = floor((TEXT_WIDTH_MM * 72 / 25.4 / CHARS - BODY_PT) * 4096)  # -848
# The footer's distance from the page's foot, so that the number's line starts PAGE_NUMBER_GAP_MM below the 版心.
FOOTER_MM = BOTTOM_MM - PAGE_NUMBER_GAP_MM - PAGE_NUMBER_PT * 25.4 / 72
