"""The messages the model is given: the shown passages under their numbers, then the question."""

from __future__ import annotations

from answer.llm import Message
from answer.passages import Passage
from answer.prompts import render, template, undecided

# Delimiters of the passage block in the prompt; a passage may not forge them.
_FORGED_DELIMITERS = ("<<<", ">>>")


def messages(question: str, passages: list[Passage], turn: str = "question") -> list[Message]:
    """The system prompt and the user turn (prompts/<turn>.txt) holding the shown passages, each headed by [n] and
    where it comes from, then the question."""
    shown = sorted((p for p in passages if p.shown), key=lambda p: p.n)
    blocks = []
    for before, passage in zip([None, *shown], shown, strict=False):
        same_reply = before is not None and before.hit.chunk.doc_id == passage.hit.chunk.doc_id
        earlier = before.header if same_reply else ("", "", "")
        # Office, date and section only where they differ from the passage before: repeating them costs prompt time and
        # tells the model nothing.
        about = " ".join(field for field, was in zip(passage.header, earlier, strict=True) if field and field != was)
        blocks.append(render("passage", n=str(passage.n), about=about, text=passage.shown))
    shown_passages = _defang("\n\n".join(blocks))
    return [
        {"role": "system", "content": template("system")},
        {"role": "user", "content": render(turn, passages=shown_passages, question=question, undecided=undecided())},
    ]


def _defang(text: str) -> str:
    for delimiter in _FORGED_DELIMITERS:
        text = text.replace(delimiter, " ")
    return text
