"""Offline, proven: an index build, an answer through the bundled model and the app's page, with every connection
to anything but loopback refused; and telemetry off."""

import subprocess
import sys

import pytest

from settings import PROJECT_ROOT


@pytest.mark.llm
def test_build_answer_and_page_work_with_every_outbound_connection_refused(tmp_path):
    done = subprocess.run(
        [sys.executable, "tests/offline_check.py", str(tmp_path / "data")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "nothing reached out" in done.stdout
