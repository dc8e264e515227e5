"""Do the overview's topic names say what a reader would? The largest topics of the Teddy export are shown to a blind
namer as 10 sample messages each, without the machine's name; a judge who sees neither the code nor the samples then
says, for each topic, whether the two names speak of the same subject.

    python -m eval.topic_names samples --out DIR        # DIR/topics.md for the namer; the machine's names kept apart
    python -m eval.topic_names pairs --names FILE --out DIR   # DIR/pairs.md for the judge: each topic's two names
    python -m eval.topic_names score --names FILE --judged FILE
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from eval.teddy import build_teddy_index, teddy_overview_settings
from index.keywords import whole_words
from index.overview import FactsCache, overview

RESULTS = Path(__file__).parent / "results"
MACHINE = RESULTS / "topic_names-machine.json"
TOP = 12  # the topics named
_SAMPLE_CHARS = 100


def machine_topics() -> list[dict]:
    """The largest topics of the Teddy overview: number, name, words, size and their 10 sample messages."""
    store, _ = build_teddy_index(teddy_overview_settings())
    facts, vectors = FactsCache(store.overview_folder).current(store)
    view = overview(facts, vectors)
    topics = []
    for topic in view.topics[:TOP]:
        records = store.get_documents([r.doc_id for r in view.samples(topic)], with_text=True).values()
        samples = [{"title": r.title, "message": _opening(str(r.fields.get("question", "")))} for r in records]
        size = len(topic.members)
        topics.append({"topic": topic.number, "name": topic.name, "words": topic.words, "size": size, "samples": samples})
    return topics


def _opening(message: str) -> str:
    return " ".join(message.split())[:_SAMPLE_CHARS]


def write_samples(folder: Path) -> Path:
    topics = machine_topics()
    RESULTS.mkdir(exist_ok=True)
    MACHINE.write_text(json.dumps(topics, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = []
    for t in topics:
        lines.append(f"## 话题 {t['topic']}（{t['size']} 件留言）\n")
        lines += [f"{n}. 【{s['title']}】{s['message']}" for n, s in enumerate(t["samples"], 1)]
        lines.append("")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.md").write_text("\n".join(lines), encoding="utf-8")
    return folder / "topics.md"


def read_jsonl(path: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {int(r["topic"]): r for r in rows}


def write_pairs(names: Path, folder: Path) -> Path:
    """Each topic's two names, in an order the judge cannot tell apart (shuffled, labelled 甲 and 乙)."""
    human = read_jsonl(names)
    machine = {t["topic"]: t for t in json.loads(MACHINE.read_text(encoding="utf-8"))}
    chance = random.Random(0)
    lines = []
    for topic in sorted(human):
        pair = [human[topic]["name"], machine[topic]["name"]]
        chance.shuffle(pair)
        lines.append(f"话题 {topic}：甲＝{pair[0]}；乙＝{pair[1]}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pairs.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "pairs.md"


def score(names: Path, judged: Path) -> dict:
    """How often the judge says the two names speak of one subject; and how often they share a word at all."""
    human, verdicts = read_jsonl(names), read_jsonl(judged)
    machine = {t["topic"]: t for t in json.loads(MACHINE.read_text(encoding="utf-8"))}
    rows = []
    for topic in sorted(human):
        words = set(machine[topic]["words"])
        shared = sorted({w for w in whole_words(human[topic]["name"]) if w in words or any(w in m or m in w for m in words)})
        names = {"machine": machine[topic]["name"], "human": human[topic]["name"]}
        rows.append({"topic": topic, **names, "same": verdicts[topic]["same"], "shared_words": shared})
    figures = {
        "topics": len(rows),
        "judged_same": sum(r["same"] == "yes" for r in rows),
        "judged_partly": sum(r["same"] == "partly" for r in rows),
        "share_words": sum(bool(r["shared_words"]) for r in rows),
        "rows": rows,
    }
    (RESULTS / "topic_names.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.topic_names", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    samples = sub.add_parser("samples")
    samples.add_argument("--out", type=Path, required=True)
    pairs = sub.add_parser("pairs")
    pairs.add_argument("--names", type=Path, required=True)
    pairs.add_argument("--out", type=Path, required=True)
    scored = sub.add_parser("score")
    scored.add_argument("--names", type=Path, required=True)
    scored.add_argument("--judged", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "samples":
        print(f"written {write_samples(args.out)}; the machine's names in {MACHINE}")
    elif args.command == "pairs":
        print(f"written {write_pairs(args.names, args.out)}")
    else:
        figures = score(args.names, args.judged)
        for r in figures["rows"]:
            print(f"{r['topic']:>3}  {r['same']:7} machine: {r['machine']:20} human: {r['human']}")
        n = figures["topics"]
        print(f"judged the same subject: {figures['judged_same']}/{n}; partly: {figures['judged_partly']}/{n}")
        print(f"the two names share a word: {figures['share_words']}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
