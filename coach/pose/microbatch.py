"""Micro-batching: calls from many threads that arrive within a few milliseconds run as ONE
batch. A GPU reads 32 ViTPose crops in about the time it reads a few, so live streams, clips
and photos that share one in-process model all gain; on a CPU the batch costs about as much
as the crops one by one (STACK.md: 8 crops 575 ms against 8 x 81 ms), so it is not used there.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    """Runs `run(items) -> results` (same length, same order) on batches gathered from callers.

    One worker thread (started on first use, a daemon) takes the first waiting item, then
    gathers more until `max_items` units (`size(item)` each, e.g. crops per image) or until
    `wait_s` has passed since that first item, whichever comes first. A caller waits at most
    `wait_s` plus one batch. An exception from `run` goes to every caller of that batch.
    """

    def __init__(
        self,
        run: Callable[[list[T]], list[R]],
        *,
        max_items: int,
        wait_s: float,
        size: Callable[[T], int] = lambda _: 1,
    ) -> None:
        if max_items < 1 or wait_s < 0:
            raise ValueError(f"max_items must be >= 1 and wait_s >= 0, got {max_items}, {wait_s}")
        self._run, self._max_items, self._wait_s, self._size = run, max_items, wait_s, size
        self._queue: queue.Queue[tuple[T, Future[R]]] = queue.Queue()
        self._start_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.batches_run = 0

    def submit(self, item: T) -> R:
        """Run `item` in the next batch and return its result (re-raises the batch's error)."""
        future: Future[R] = Future()
        self._ensure_worker()
        self._queue.put((item, future))
        return future.result()

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._loop, name="microbatch", daemon=True)
                self._worker.start()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            units = self._size(batch[0][0])
            deadline = time.monotonic() + self._wait_s
            while units < self._max_items and (left := deadline - time.monotonic()) > 0:
                try:
                    entry = self._queue.get(timeout=left)
                except queue.Empty:
                    break
                batch.append(entry)
                units += self._size(entry[0])
            self._run_batch(batch)

    def _run_batch(self, batch: list[tuple[T, Future[R]]]) -> None:
        self.batches_run += 1
        try:
            results = self._run([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch of {len(batch)} gave {len(results)} results")
        except BaseException as exc:  # every caller of this batch sees the same error
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
