"""A build's progress as tqdm bars on stderr, for the command line (the app shows it in Chinese instead)."""

from __future__ import annotations

from tqdm import tqdm

from index.build import BuildProgress


class ProgressBars:
    """Call it with each BuildProgress: a bar of files read, then one of chunks embedded; close() ends them."""

    def __init__(self) -> None:
        self._bars: dict[str, tqdm] = {}

    def __call__(self, progress: BuildProgress) -> None:
        if progress.stage == "reading":
            self._move("reading", "file", progress.files_done, progress.files_total)
        elif progress.stage == "embedding":
            self._move("embedding", "chunk", progress.chunks_done, progress.chunks_total)

    def _move(self, name: str, unit: str, done: int, total: int) -> None:
        bar = self._bars.get(name)
        if bar is None:
            bar = self._bars[name] = tqdm(total=total, initial=done, desc=name, unit=unit)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
