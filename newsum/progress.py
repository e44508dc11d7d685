"""A small progress line for long runs: count, rate and ETA on stderr, only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`with Progress(total, "lead") as bar: bar.update()`; silent unless `stream` is a tty."""

    def __init__(
        self,
        total: int | None,
        label: str = "",
        stream: TextIO | None = None,
        enabled: bool | None = None,
        interval: float = 0.2,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self.count = 0
        self._start = time.perf_counter()
        self._last = 0.0

    def update(self, n: int = 1) -> None:
        self.count += n
        now = time.perf_counter()
        if self.enabled and now - self._last >= self.interval:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        rate = self.count / elapsed
        if self.total:
            left = (self.total - self.count) / rate if rate > 0 else 0.0
            frac = self.count / self.total
            bar = "#" * int(20 * frac)
            text = (
                f"{self.label} [{bar:<20}] {self.count}/{self.total} "
                f"{rate:.0f}/s ETA {_clock(left)}"
            )
        else:
            text = f"{self.label} {self.count} {rate:.0f}/s {_clock(elapsed)}"
        self.stream.write("\r" + text + "\033[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.perf_counter())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
