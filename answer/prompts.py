"""Prompt templates, kept as Chinese text files in prompts/ and filled in here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@cache
def template(name: str, directory: Path = PROMPTS_DIR) -> str:
    """The text of prompts/<name>.txt."""
    path = directory / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"prompt template {path} is missing")
    return path.read_text(encoding="utf-8").strip()


def render(name: str, **values: str) -> str:
    """A template with its {fields} filled; braces inside the values are left alone."""
    return template(name).format_map(values)


def refusal_sentence() -> str:
    return template("refusal")


def undecided() -> str:
    """What a yes-or-no answer says when the replies do not settle it."""
    return template("undecided")
