"""`chroma run` on a loopback port, for the server-mode tests and the size benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eval.app_process import free_port, wait_until_up

BIN = Path(sys.executable).parent


class ChromaServer:
    """A Chroma server over the data in path, which may be stopped and started again on the same data and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [str(BIN / "chroma"), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until_up(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", self.process, 120):
            self.stop()
            raise RuntimeError(f"chroma run on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
