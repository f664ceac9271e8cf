"""A progress bar on standard error, drawn only on a terminal and only once work takes a second."""
from __future__ import annotations

import time
from typing import Optional, TextIO


class Progress:
    """``step()`` after each unit of ``total``; nothing is drawn when ``stream`` is not a terminal,
    when quiet, or before one second has passed, so quick runs and pipes stay clean."""

    def __init__(self, total: int, label: str, stream: Optional[TextIO], *, enabled: bool = True,
                 delay: float = 1.0, clock=time.monotonic):
        isatty = getattr(stream, "isatty", None)
        self.on = bool(enabled and total > 1 and isatty and isatty())
        self.total, self.label, self.stream = total, label, stream
        self.done, self.clock = 0, clock
        self.start, self.delay, self.drawn = clock(), delay, False

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.on and self.clock() - self.start >= self.delay:
            self.draw()

    def draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
