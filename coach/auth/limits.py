"""Per-person limits on work: how many analyses one account may run at once.

One `AnalysisLimiter` per process (shared by every browser tab); thread-safe.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from coach.core.errors import BadInput


class TooBusy(BadInput):
    """This person already runs as many analyses as allowed."""


class AnalysisLimiter:
    """Counts running analyses per person and refuses one over `max_per_person`."""

    def __init__(self, max_per_person: int) -> None:
        if max_per_person < 1:
            raise ValueError(f"max_per_person must be at least 1, got {max_per_person}")
        self.max_per_person = max_per_person
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, who: str) -> None:
        """Take one of `who`'s slots; pair it with `release` (a job holds its slot from submit in
        one thread to its end in another, which a `with` block cannot span).

        Raises:
            TooBusy: `who` already holds every slot (nothing waits: the page says so at once).
        """
        with self._lock:
            if self._running[who] >= self.max_per_person:
                raise TooBusy(
                    f"you already have {self._running[who]} analyses running (the limit is "
                    f"{self.max_per_person}); wait for one to finish"
                )
            self._running[who] += 1

    def release(self, who: str) -> None:
        """Give back one slot taken with `acquire`."""
        with self._lock:
            self._running[who] -= 1
            if self._running[who] <= 0:
                del self._running[who]

    @contextmanager
    def slot(self, who: str) -> Iterator[None]:
        """Hold one of `who`'s slots for the block.

        Raises:
            TooBusy: `who` already holds every slot.
        """
        self.acquire(who)
        try:
            yield
        finally:
            self.release(who)

    def running(self, who: str) -> int:
        """How many analyses `who` runs now."""
        with self._lock:
            return self._running[who]
