"""Run with every connection to a non-loopback address refused: build an index, answer through the bundled model,
and serve the app's page. Exits 0 when all of it works and nothing tried to reach out; prints what did.

    python tests/offline_check.py DATA_DIR
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import urllib.request
from pathlib import Path

attempts: list[str] = []
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) in ("localhost", "")


def guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(host):
        attempts.append(f"connect {address}")
        raise OSError(f"offline check: connection to {address} refused")
    return _connect(self, address)


def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if host is not None and not loopback(host):
        attempts.append(f"resolve {host}")
        raise socket.gaierror(f"offline check: lookup of {host} refused")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = guarded_connect
socket.getaddrinfo = guarded_getaddrinfo


def main() -> int:
    import os

    from answer.engine import AnswerEngine
    from app import build_app
    from eval.app_process import free_port
    from index.build import IndexBuilder
    from settings import PROJECT_ROOT, load_settings

    settings = load_settings(
        data_dir=Path(sys.argv[1]), corpus_paths=[PROJECT_ROOT / "corpus" / "futian_kechuang_2024_zhuban_20240221.txt"]
    )
    telemetry = {
        k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED", "DO_NOT_TRACK")
    }
    assert telemetry == {
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "DO_NOT_TRACK": "1",
    }, telemetry
    report = IndexBuilder(settings).build()
    assert report.documents_added == 1 and not report.failed, report.summary()
    engine = AnswerEngine(settings)
    answer = engine.ask("企业在高职院校设奖学金培养人才，区里最多支持多少？")
    assert not answer.refused and "50万元" in answer.answer, answer
    app = build_app(engine, settings)
    app.queue()
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, ssr_mode=False, quiet=True)
    page = urllib.request.urlopen(url, timeout=30).read().decode("utf-8", "replace")
    assert "答复通" in page or "gradio" in page.lower(), page[:300]
    app.close()
    print(
        "offline check: build, answer and page served;",
        f"attempts to reach out: {attempts}" if attempts else "nothing reached out",
    )
    return 1 if attempts else 0


if __name__ == "__main__":
    sys.exit(main())
