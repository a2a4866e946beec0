"""One live stream's lifecycle: a fresh `LiveAnalyzer` (and stored session) per start.

Streamlit-free; `ui.live` keeps one recorder per browser tab.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import LiftCoachError
from coach.live.analyzer import LiveAnalyzer
from coach.live.preview import STREAM_ENDED, LifterChoice, LivePreview
from coach.live.state import LiveState


class LiveRecorder:
    """One live stream's lifecycle: a new analyzer (and stored session) per start.

    The first frame after a start builds a `LiveAnalyzer` with `factory`; `stop` (the stream
    ended: STOP pressed, tab closed, connection lost) closes it and its sink. The last
    analyzer's snapshot stays readable after the stop, so the page can still show it.
    Thread-safe: frames come from the WebRTC worker, `stop` from the event loop or the page.
    """

    def __init__(self, factory: Callable[[], tuple[LiveAnalyzer, Callable[[], None]]]) -> None:
        """Args:
        factory: returns a fresh analyzer and a function that releases what it holds
            (closes the writer and ends the session).
        """
        self._factory = factory
        self._lock = threading.Lock()
        self._analyzer: LiveAnalyzer | None = None
        self._release: Callable[[], None] | None = None
        self._last: LiveAnalyzer | None = None
        self._sessions = 0
        self._error: str | None = None

    def process(self, bgr: NDArray[np.uint8], t_s: float | None = None) -> NDArray[np.uint8]:
        """Analyse a frame of the current stream, starting one if none is running."""
        with self._lock:
            if self._analyzer is None:
                try:
                    self._analyzer, self._release = self._factory()
                except LiftCoachError as exc:
                    # The stream cannot be analysed (no backend, no database): show the
                    # camera as is and let the page say why, rather than killing the stream.
                    self._error = str(exc)
                    return bgr
                self._error = None
                self._last = self._analyzer
                self._sessions += 1
            analyzer = self._analyzer
        return analyzer.process(bgr, t_s)

    @property
    def error(self) -> str | None:
        """Why the current stream could not start, if it could not."""
        with self._lock:
            return self._error

    def stop(self) -> None:
        """End the current stream (if any): close the analyzer and release its session."""
        with self._lock:
            analyzer, release = self._analyzer, self._release
            self._analyzer, self._release = None, None
        if analyzer is not None:
            analyzer.close()
        if release is not None:
            release()

    def choose_lifter_at(self, x_px: float, y_px: float, on: LivePreview | None = None
                         ) -> LifterChoice:  # fmt: skip
        """A click on the live view: the current stream's `LiveAnalyzer.choose_lifter_at`.
        Only the running stream hears it; the next START begins with the usual choice."""
        with self._lock:
            analyzer = self._analyzer
        if analyzer is None:
            return LifterChoice(False, STREAM_ENDED)
        return analyzer.choose_lifter_at(x_px, y_px, on)

    @property
    def running(self) -> bool:
        """Whether a stream is being analysed now."""
        with self._lock:
            return self._analyzer is not None

    @property
    def streams_started(self) -> int:
        """How many streams (sessions) this recorder has started."""
        with self._lock:
            return self._sessions

    def snapshot(self) -> LiveState | None:
        """The current (or last) stream's state; None before the first frame."""
        with self._lock:
            analyzer = self._last
        return None if analyzer is None else analyzer.snapshot()
