"""Command line: python -m answer "问题" [--json]."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m answer", description="Answer a question from the indexed replies, with citations."
    )
    parser.add_argument("question")
    parser.add_argument("--json", action="store_true", help="print the whole answer as JSON")
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
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print("\n\n" + answer.answer)
    for c in answer.citations:
        print(f"[{c.n}] {c.title} ({c.source}) {c.section}\n    {c.text}")
    for sentence in answer.unsupported:
        print(f"未找到依据: {sentence}")
    if answer.notice:
        print(answer.notice)
    for doc in answer.related:
        print(f"可能相关: {doc['title']} ({doc['source']})")
    if answer.timings:
        print(f"\n{answer.timings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
