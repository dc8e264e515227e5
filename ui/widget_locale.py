"""Gradio's own widget texts (the upload area's 拖放/点击上传, the table's menus) in Chinese whatever the browser's
language: the frontend picks its locale from the browser, and looks a key up in the app's translations first."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

# Gradio 6.31's zh-CN texts, flattened (templates/frontend/assets/zh-CN-*.js, read once with node), and common.upload,
# the upload button's label, which no locale of it has.
_CHINESE = json.loads((Path(__file__).with_name("frontend_zh.json")).read_text(encoding="utf-8"))
# Every locale the frontend of gradio 6.31 ships (one assets/<locale>-*.js each); a browser in any other falls back to en.
_LOCALES = (
    "en", "ar", "ca", "de", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja", "ko", "lt", "nb", "nl", "pl",
    "pt", "pt-BR", "ro", "ru", "sv", "ta", "th", "tr", "uk", "ur", "uz", "zh-CN", "zh-TW",
)  # fmt: skip


def chinese_widgets() -> gr.I18n:
    """Translations that give every locale the Chinese widget texts."""
    return gr.I18n(**{locale: _CHINESE for locale in _LOCALES})
