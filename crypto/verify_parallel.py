"""Spread expensive per-item work over processes in chunks, with memory bounded by the window size.

``run_chunked`` pulls items lazily from an iterator, groups them in chunks, and keeps at most
``2 * jobs`` chunks in flight, so a board of any length never sits in memory whole. Results come back
in submission order. With ``jobs == 1`` everything runs in the calling process (no pickling).
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context
from typing import Any, TextIO, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    it = iter(items)
    while True:
        chunk = list(islice(it, size))
        if not chunk:
            return
        yield chunk


def run_chunked(
    items: Iterable[T],
    work: Callable[[list[T]], R],
    *,
    jobs: int,
    chunk_size: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """Yield ``work(chunk)`` for each chunk of ``items``, in order, over ``jobs`` processes.

    ``work`` and ``initializer`` must be module-level functions (they are sent to worker processes).
    The initializer runs once per worker with ``initargs`` (in this process too when ``jobs == 1``).
    """
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for chunk in chunks(items, chunk_size):
            yield work(chunk)
        return
    # fork is cheapest where available; the worker state comes only from the initializer either way.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=get_context(method), initializer=initializer, initargs=initargs
    ) as pool:
        pending: deque[Future[R]] = deque()
        for chunk in chunks(items, chunk_size):
            pending.append(pool.submit(work, chunk))
            while len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class Progress:
    """Throttled progress lines on a stream (stderr), or nothing when disabled."""

    def __init__(self, label: str, enabled: bool, stream: TextIO | None = None, every: float = 1.0) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.start = time.monotonic()
        self._last = self.start
        self._shown = False

    def update(self, done: int) -> None:
        """Report ``done`` items so far, at most once per ``every`` seconds."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        rate = done / max(now - self.start, 1e-9)
        self.stream.write(f"\r{self.label}: {done:,} ({rate:,.0f}/s)   ")
        self.stream.flush()
        self._shown = True

    def finish(self, done: int) -> None:
        """End the progress line, if one was shown."""
        if self.enabled and self._shown:
            elapsed = time.monotonic() - self.start
            self.stream.write(f"\r{self.label}: {done:,} in {elapsed:,.1f} s" + " " * 10 + "\n")
            self.stream.flush()
