"""The library's builds and removals, one at a time in the order asked: a second upload waits its turn instead of
being refused, knows its place, and, when another app instance or the command line holds the index, waits for it."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from index.build import BuildInProgress, BuildProgress

log = logging.getLogger("dafu.app")

# How often a task kept out by another process's build asks for the index again.
_RETRY_S = 2.0


@dataclass
class Task:
    """One build or removal: what it runs (given a progress callback), and how it stands."""

    run: Callable[[Callable[[BuildProgress], None]], object]
    state: str = "waiting"  # waiting, blocked (another process holds the index), running, done, failed
    progress: BuildProgress | None = None
    result: object = None
    error: BaseException | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    version: int = 0  # counts the changes, so a watcher sees each one

    def _set(self, **changes: object) -> None:
        with self.changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until the task changes after version seen (or timeout); the version now."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class BuildQueue:
    """Runs tasks one after another on a thread of its own, whoever submitted them and whether they still watch."""

    def __init__(self, retry_s: float = _RETRY_S) -> None:
        self.retry_s = retry_s
        self._tasks: deque[Task] = deque()  # the one running first, then those waiting
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None

    def submit(self, run: Callable[[Callable[[BuildProgress], None]], object]) -> Task:
        task = Task(run)
        with self._lock:
            self._tasks.append(task)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="library-builds", daemon=True)
                self._worker.start()
        self._wake.set()
        return task

    def place(self, task: Task) -> int:
        """1 for the task running (or next to run), n for the one with n - 1 tasks ahead; 0 once it has left."""
        with self._lock:
            return next((i for i, queued in enumerate(self._tasks, 1) if queued is task), 0)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._tasks)

    def _work(self) -> None:
        try:
            self._serve()
        finally:  # whatever ended it, the next task starts a new worker instead of waiting for this one
            with self._lock:
                self._worker = None

    def _serve(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                task = self._tasks[0] if self._tasks else None
                if task is None:
                    self._wake.clear()
                    continue
            self._run(task)
            with self._lock:
                self._tasks.popleft()
                waiting_tasks = list(self._tasks)
            for waiting in waiting_tasks:  # each waiting task's place moved up
                waiting._set()

    def _run(self, task: Task) -> None:
        while True:
            task._set(state="running")
            try:
                task._set(result=task.run(lambda progress: task._set(progress=progress)), state="done")
                return
            except BuildInProgress:  # another app instance or the command line is building this index: wait for it
                task._set(state="blocked")
                time.sleep(self.retry_s)
            except Exception as error:  # the watcher is told; the queue goes on with the next task
                log.exception("a library build failed")
                task._set(error=error, state="failed")
                return
