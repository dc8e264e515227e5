"""停止 and 清空对话: a session's answer or draft, asked from another event of the session to stop. The run looks at its
flag at each step, ends there and closes what it streams from, so the model's turn goes to the next in line at once
(Gradio's cancels= leaves the generator open, holding the model)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

# How long a new run waits for the session's run before it to stop: that one stops at its next step, which on 2 cores
# can be after the model has read its prompt (seconds; more for a draft's section on a busy machine).
STOPPING_S = 120.0
# How long a new run waits for one still going to be asked to stop: 停止 clicked just before a question can reach the
# server just after it.
ASKING_S = 2.0


class Run:
    """One session's answer or draft as it goes."""

    def __init__(self, after_clear: bool = False) -> None:
        self._asked = threading.Event()
        self.cleared = False  # what it has shown goes too (清空对话), not only what it was still to show
        self.after_clear = after_clear  # it waited for a cleared run: whatever that run showed is gone

    @property
    def stopped(self) -> bool:
        return self._asked.is_set()

    def stop(self, clear: bool = False) -> None:
        self.cleared = self.cleared or clear
        self._asked.set()


class Stops:
    """The run each session has going, one at a time."""

    def __init__(self) -> None:
        self._runs: dict[str, Run] = {}
        self._changed = threading.Condition()

    @contextmanager
    def running(self, request: gr.Request | None) -> Iterator[Run | None]:
        """A run for the session while the block lasts, started once the run before it has stopped; None when the
        session has a run going that was not asked to stop within ASKING_S, or that did not stop within STOPPING_S."""
        session = getattr(request, "session_hash", None)
        if not session:  # no session to stop it from: a run of its own, never waited for
            yield Run()
            return
        run = self._start(session)
        try:
            yield run
        finally:
            if run is not None:
                with self._changed:
                    del self._runs[session]
                    self._changed.notify_all()

    def _start(self, session: str) -> Run | None:
        now, before = time.monotonic(), None
        stopping_by, asking_by = now + STOPPING_S, now + ASKING_S
        with self._changed:
            while (current := self._runs.get(session)) is not None:
                left = (stopping_by if current.stopped else asking_by) - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
                before = current
            run = self._runs[session] = Run(after_clear=before is not None and before.cleared)
            return run

    def stop(self, request: gr.Request | None, clear: bool = False) -> None:
        """Ask the session's run, if it has one, to stop at its next step; clear: what it has shown goes too."""
        with self._changed:
            if run := self._runs.get(getattr(request, "session_hash", None) or ""):
                run.stop(clear)
                self._changed.notify_all()
