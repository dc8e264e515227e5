"""The LLM judge's answers kept on disk, keyed by a hash of the exact prompt: training, scoring and the table reuse
them instead of asking the model again (eval/cache/ is not committed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from settings import PROJECT_ROOT

CACHE = PROJECT_ROOT / "eval" / "cache" / "judge.jsonl"


class JudgeCache:
    """Label probabilities and the seconds the model took for them, one JSON line per prompt; only hashes of the
    prompts are stored, so a blind set's text never lands here."""

    def __init__(self, path: Path = CACHE) -> None:
        self.path = path
        self._rows: dict[str, dict] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self._rows[row["key"]] = row

    @staticmethod
    def key(messages: list[dict[str, str]]) -> str:
        return hashlib.sha1(json.dumps(messages, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> dict | None:
        """{"p": {label: probability}, "s": seconds} or None."""
        return self._rows.get(key)

    def put(self, key: str, probabilities: dict[str, float], seconds: float) -> None:
        row = {"key": key, "p": probabilities, "s": round(seconds, 3)}
        self._rows[key] = row
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
