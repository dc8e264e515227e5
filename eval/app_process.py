"""The app started as a process on a free loopback port, for benchmarks that drive it from outside."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float) -> bool:
    """Whether url answers before the process ends or seconds pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.5)


@contextmanager
def running_app(env: dict[str, str] | None = None, start_timeout: float = 600) -> Iterator[tuple[str, int]]:
    """(url, pid) of `python app.py` on loopback with the configured settings and env on top; stopped on exit."""
    port = free_port()
    environment = {**os.environ, "DAFU_HOST": "127.0.0.1", "DAFU_PORT": str(port), **(env or {})}
    url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="dafu-app-", suffix=".log", delete=False) as log:
        command = [sys.executable, "app.py"]
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_until_up(url, process, start_timeout):
                raise RuntimeError(f"the app did not start: {Path(log.name).read_text()[-3000:]}")
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
