"""Load on the running app, through its API as scripts use it (gradio_client), from N users at once on loopback.

    python -m eval.load [--users 1,5,20] [--asks 2] [--llm-url URL] [--out eval/results/load.json] [--compare OLD.json]

Starts the app on a free loopback port over the corpus index (the in-process model serving one request at a time, or,
with --llm-url, an OpenAI-compatible server with --llm-parallel slots), then for each N: N users each ask --asks
questions from a mix of the corpus question set, one after the other, all users at once. Prints answers completed,
failures, first-token and total latency p50/p95 (client side, warm: the app warms its model before it opens), answers
per minute and the app's peak memory, beside an earlier run. Every run is bounded: --timeout seconds a question.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from eval.benchmark import load_earlier, print_table, save
from eval.questions import read_questions
from settings import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "eval" / "data" / "questions_corpus.jsonl"


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def one_user(url: str, questions: list[str], timeout: float, rows: list[dict]) -> None:
    """Ask each question in turn through /ask_stream, timing the first token and the whole answer."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    for question in questions:
        started, first, evidence, row = time.monotonic(), None, None, {"question": question}
        try:
            job = client.submit(question, api_name="/ask_stream")
            for event in job:
                if evidence is None and "retrieved" in event:
                    evidence = time.monotonic() - started
                if first is None and "token" in event:
                    first = time.monotonic() - started
                if time.monotonic() - started > timeout:
                    job.cancel()
                    raise TimeoutError(f"no answer within {timeout:.0f} s")
            answer = job.outputs()[-1]["answer"]
            row.update(
                total_s=time.monotonic() - started, first_token_s=first, evidence_s=evidence, refused=answer["refused"], ok=True
            )
        except Exception as error:  # counted, not raised: a failure is a figure of this benchmark
            row.update(ok=False, error=f"{type(error).__name__}: {error}"[:300])
        rows.append(row)


def peak_memory_gb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in GB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1e6, 2)
    return 0.0


def run_level(url: str, users: int, questions: list[str], asks: int, timeout: float) -> dict:
    rows: list[dict] = []
    mix = [[questions[(u * asks + i) % len(questions)] for i in range(asks)] for u in range(users)]
    threads = [threading.Thread(target=one_user, args=(url, mine, timeout, rows)) for mine in mix]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * asks + 60)
    seconds = time.monotonic() - started
    done = [r for r in rows if r["ok"]]
    firsts = [r["first_token_s"] for r in done if r.get("first_token_s") is not None]
    evidence = [r["evidence_s"] for r in done if r.get("evidence_s") is not None]
    totals = [r["total_s"] for r in done]
    return {
        "asked": users * asks,
        "completed": len(done),
        "failed": users * asks - len(done),
        "evidence p50 (s)": percentile(evidence, 0.5),
        "evidence p95 (s)": percentile(evidence, 0.95),
        "first token p50 (s)": percentile(firsts, 0.5),
        "first token p95 (s)": percentile(firsts, 0.95),
        "total p50 (s)": percentile(totals, 0.5),
        "total p95 (s)": percentile(totals, 0.95),
        "answers per minute": round(len(done) / seconds * 60, 2),
        "errors": sorted({r["error"] for r in rows if not r["ok"]})[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", default="1,5,20", help="comma-separated numbers of users at once")
    parser.add_argument("--asks", type=int, default=2, help="questions each user asks, one after the other")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a question may take before it counts as failed")
    parser.add_argument("--llm-url", default="", help="an OpenAI-compatible chat server instead of the in-process model")
    parser.add_argument("--llm-model", default="bundled", help="the model name that server expects")
    parser.add_argument("--llm-parallel", type=int, default=1, help="requests the server serves at once")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "eval" / "results" / "load.json")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to show beside this run")
    args = parser.parse_args(argv)

    from eval.app_process import running_app

    questions = [q.question for q in read_questions(QUESTIONS) if q.answerable and not q.follows]
    env = {}
    if args.llm_url:
        env = {
            "DAFU_LLM_BACKEND": "openai",
            "DAFU_LLM_BASE_URL": args.llm_url,
            "DAFU_LLM_MODEL": args.llm_model,
            "DAFU_LLM_PARALLEL": str(args.llm_parallel),
        }
    figures: dict[str, dict] = {}
    with running_app(env) as (url, pid):
        for users in (int(n) for n in args.users.split(",")):
            print(f"{users} user(s) asking {args.asks} question(s) each …", flush=True)
            figures[f"{users} users"] = run_level(url, users, questions, args.asks, args.timeout)
        memory = peak_memory_gb(pid)
    mode = f"openai server ({args.llm_parallel} slots)" if args.llm_url else "in-process model, served in turn"
    results = {"mode": mode, "levels": figures, "peak_rss_gb": memory}
    earlier = (load_earlier(args.compare) or {}).get("levels", {})
    print(f"\n{mode}; peak memory of the app {memory} GB")
    for level, values in figures.items():
        shown = {
            k: {"this run": v, "earlier run": earlier.get(level, {}).get(k, "-")} for k, v in values.items() if k != "errors"
        }
        print_table(level, shown, ["this run", "earlier run"])
        for error in values["errors"]:
            print(f"  error: {error}")
    save(args.out, results)
    print(f"written to {args.out}")
    return 0 if all(v["failed"] == 0 for v in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
