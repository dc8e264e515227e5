"""Command line: python -m answer "问题" [--json] [--docx FILE] | python -m answer draft FILE_OR_TEXT [--office 单位]
[--kind 代表建议|政协提案|群众留言] [--json] [--docx FILE]."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from settings import load_settings

if TYPE_CHECKING:
    from answer.word_file import Paper


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["draft"]:
        return draft(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m answer", description="Answer a question from the indexed replies, with citations."
    )
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    parser.add_argument("--docx", type=Path, help="also write the answer as Word: to check at FILE, to send at FILE_清稿.docx")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from answer.engine import AnswerEngine
    from answer.results import Answer, Token
    from index.store import IndexUnavailable

    try:
        engine = AnswerEngine(load_settings())
    except IndexUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    answer = None
    for event in engine.stream(args.question):
        if isinstance(event, Token) and not args.json:
            print(event.text, end="", flush=True)
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    if args.docx:
        from answer.word_file import answer_paper

        if error := write_word(answer_paper(answer.to_dict()), args.docx):
            return error
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.quotes:
        print("\n\n答复原文：")
        for quote in answer.quotes:
            print(f"  [{quote['n']}] {quote['text']}（{quote['title']}）")
    print("\n" + answer.answer)
    for c in answer.citations:
        print(f"[{c.n}] {c.title} ({c.source}) {c.section}\n    {c.text}")
    for sentence in answer.dropped:  # left out of the answer: a reviewer may still want to read it, and why
        print(f"摘要中已略去：{sentence['text']}（{sentence['reason'] or sentence['status']}）")
    if answer.notice:
        print(answer.notice)
    for doc in answer.related:
        print(f"可能相关: {doc['title']} ({doc['source']})")
    if answer.timings:
        print(f"\n{answer.timings}")
    return 0


def draft(argv: list[str]) -> int:
    """Draft a reply to a new suggestion from precedents, streaming each section, then print or save it."""
    from text.kinds import KINDS

    parser = argparse.ArgumentParser(
        prog="python -m answer draft", description="Draft a reply to a suggestion from earlier replies, every sentence cited."
    )
    parser.add_argument("suggestion", help="a TXT, DOCX or PDF file of the suggestion, or its text")
    parser.add_argument("--office", default="", help="the office that will sign the reply")
    parser.add_argument("--kind", choices=KINDS, default="", help="what is answered (read from the text when not given)")
    parser.add_argument("--json", action="store_true", help="print the whole draft as JSON")
    parser.add_argument("--docx", type=Path, help="also write the draft as Word: to check at FILE, to send at FILE_清稿.docx")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from answer.draft import POINT_STATUS, SUGGESTION_SUFFIXES, Draft, Drafter, DraftPlan, DraftSection, SectionStarted
    from answer.engine import AnswerEngine
    from answer.results import Token
    from index.readers import UnreadableFile, read_file
    from index.store import IndexUnavailable
    from text.suggestions import BadSuggestion

    path = Path(args.suggestion)
    if path.suffix.lower() in SUGGESTION_SUFFIXES and not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    try:
        text = read_file(path) if path.suffix.lower() in SUGGESTION_SUFFIXES else args.suggestion
    except UnreadableFile as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        engine = AnswerEngine(load_settings())
        drafter = Drafter.sharing(engine)
        done = None
        for event in drafter.stream(text, args.office, args.kind):
            if args.json:
                done = event if isinstance(event, Draft) else done
            elif isinstance(event, DraftPlan):
                print("建议的要点：")
                for n, point in enumerate(event.points, 1):
                    found = "、".join(f"[{p['n']}] {p['title']}" for p in point["precedents"]) or "没有找到先例"
                    print(f"  {n}. {point['label']}（{found}）")
            elif isinstance(event, SectionStarted):
                print(f"\n{event.heading}（起草中，尚未核对）", flush=True)
            elif isinstance(event, Token):
                print(event.text, end="", flush=True)
            elif isinstance(event, DraftSection):
                print("\n" + POINT_STATUS[event.section["status"]], flush=True)
            elif isinstance(event, Draft):
                done = event
    except (IndexUnavailable, BadSuggestion) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    assert done is not None
    if args.docx:
        from answer.word_file import draft_paper

        if error := write_word(draft_paper(done.to_dict()), args.docx):
            return error
    if args.json:
        print(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print("\n\n" + done.text + "\n\n要点核对：")
    for n, (point, section) in enumerate(zip(done.points, done.sections, strict=True), 1):
        print(f"  {n}. {point['label']}：{POINT_STATUS[section['status']]}")
        for sentence in section["dropped"]:
            print(f"     未采用：{sentence['text']}（{sentence['reason']}）")
    print(f"\n{done.timings}")
    return 0


def write_word(paper: Paper, path: Path) -> int:
    """The checking copy at path and the clean copy to send beside it (FILE_清稿.docx); 2, said, if either cannot be
    written."""
    from answer.word_file import CLEAN, write_copies

    try:
        write_copies(paper, path, path.with_name(f"{path.stem}_{CLEAN}{path.suffix or '.docx'}"))
    except OSError as error:
        print(f"error: {path}: cannot write the Word file: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
