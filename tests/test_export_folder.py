"""The folders files are exported through: an old one is removed when a new one is made, a fresh one is kept, and
Gradio serves its own copy of a returned file, so removing ours leaves the download in place."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import gradio as gr
from gradio import processing_utils

from ui import export_folder as exports


def test_a_new_export_folder_removes_the_old_ones_and_keeps_the_fresh(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(exports, "ROOT", tmp_path)
    old, fresh = exports.export_folder("answer"), exports.export_folder("draft")
    (old / "核对稿《旧》.docx").write_bytes(b"old")
    (fresh / "清稿《新》.docx").write_bytes(b"fresh")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))

    new = exports.export_folder("precedents")

    assert not old.exists(), "older than an hour: removed"
    assert (fresh / "清稿《新》.docx").read_bytes() == b"fresh", "made a moment ago: kept"
    assert new.is_dir() and new.parent == tmp_path and new.name.startswith("precedents-") and not list(new.iterdir())


def test_gradio_serves_its_own_copy_so_removing_the_export_folder_keeps_the_download(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(exports, "ROOT", tmp_path / "exports")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    folder = exports.export_folder("answer")
    (folder / "清稿《新》.docx").write_bytes(b"reply")
    files = gr.File(file_count="multiple")

    # What Gradio does with a handler's return value before the browser sees it.
    served = processing_utils.move_files_to_cache(files.postprocess([str(folder / "清稿《新》.docx")]), files, True)
    shutil.rmtree(folder)

    path = Path(served[0]["path"])
    assert path.is_relative_to(tmp_path / "gradio") and path.read_bytes() == b"reply"
