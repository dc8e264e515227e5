"""The question file: one JSON object a line; unknown fields ignored, a malformed line reported by number and skipped."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool = True
    gold_facts: list[str] = field(default_factory=list)
    evidence: str = ""
    type: str = ""
    follows: str = ""
    shape: str = ""  # for a fact: figure, date, office or other; for an unanswerable question: near or off


def read_questions(path: Path) -> list[Question]:
    """The well-formed questions of a JSONL file; each bad line is logged with its number and why."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not str(row.get("question", "")).strip():
                raise ValueError("no question")
            questions.append(
                Question(
                    id=str(row.get("id", f"line{number}")),
                    question=str(row["question"]),
                    answerable=bool(row.get("answerable", True)),
                    gold_facts=[str(f) for f in row.get("gold_facts", [])],
                    evidence=str(row.get("evidence", "")),
                    type=str(row.get("type", "")),
                    follows=str(row.get("follows", "")),
                    shape=str(row.get("shape", "")),
                )
            )
        except (ValueError, TypeError) as error:
            log.warning("%s line %d skipped: %s", path, number, error)
    return questions
