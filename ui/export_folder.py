"""Folders for the files the app hands to the browser (Word copies, CSV/XLSX lists). Gradio copies a returned file into
its own cache before serving it (processing_utils.save_file_to_cache), so ours are only needed for that moment: each
new folder removes the ones older than MAX_AGE_S."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

# Under the system temp folder, which Gradio lets a handler return files from without allowed_paths.
ROOT = Path(tempfile.gettempdir()) / "dafu-exports"
# Old enough that Gradio has long copied it, even for an app instance sharing ROOT (tests, a second server).
MAX_AGE_S = 3600


def export_folder(kind: str) -> Path:
    """A new empty folder named for kind (answer, draft, precedents), the old export folders removed first."""
    ROOT.mkdir(parents=True, exist_ok=True)
    old = time.time() - MAX_AGE_S
    for folder in ROOT.iterdir():
        try:
            if folder.stat().st_mtime < old:
                shutil.rmtree(folder)
        except OSError:  # removed meanwhile by another app's sweep
            continue
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=ROOT))
