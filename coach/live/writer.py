"""Recording a live stream: a `FrameSink` that stores every analysed frame and counted rep.

`StoreFrameWriter` writes rows with `Store.add_frame` on its own thread, so the database's
latency never adds to the frame's, and each row is committed as it comes (closing the tab loses
nothing already analysed). The queue is bounded (`MAX_QUEUED`): a database that stalls slows
the analysis thread for at most `PUT_TIMEOUT_S` per frame and then frames are dropped and
counted, instead of memory growing without end. Writers still open when the process exits
are flushed and their sessions ended (`atexit`). Streamlit-free.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from typing import TYPE_CHECKING

from coach.core.errors import LiftCoachError
from coach.live.rep_tracker import LiveRep
from coach.live.state import LiveFrame

if TYPE_CHECKING:
    from coach.store.store import Store

log = logging.getLogger(__name__)

_STOP = object()
# About 10 s of frames at 25 fps; each queued frame holds keypoints and a small thumbnail.
MAX_QUEUED = 256
PUT_TIMEOUT_S = 1.0
_OPEN: weakref.WeakSet[StoreFrameWriter] = weakref.WeakSet()


class StoreFrameWriter:
    """A `FrameSink` that writes each frame to a stored session on its own thread.

    Frames are queued (never dropped: every analysed frame is recorded) and committed one by
    one, so rows appear in the database within milliseconds of being analysed. `close` waits for
    the queue to drain and ends the session.
    """

    def __init__(self, store: Store, session_id: int) -> None:
        self.store = store
        self.session_id = session_id
        self._queue: queue.Queue[object] = queue.Queue(maxsize=MAX_QUEUED)
        self._dropped = 0
        self._lock = threading.Lock()
        self._written = 0
        self._errors: list[str] = []
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name=f"liftcoach-live-writer-{session_id}", daemon=True
        )
        self._thread.start()
        _OPEN.add(self)

    def __call__(self, frame: LiveFrame) -> None:
        """Queue one frame for writing (waits at most PUT_TIMEOUT_S when the queue is full)."""
        self._put(frame)

    def _put(self, item: object) -> None:
        try:
            self._queue.put(item, timeout=PUT_TIMEOUT_S)
        except queue.Full:
            with self._lock:
                self._dropped += 1
                if self._dropped == 1:
                    self._errors.append(
                        f"the database fell behind; frames from {getattr(item, 'index', '?')} "
                        "on were not all stored"
                    )

    @property
    def dropped(self) -> int:
        """Frames not stored because the queue stayed full (a stalled database)."""
        with self._lock:
            return self._dropped

    @property
    def written(self) -> int:
        """Frames committed so far."""
        with self._lock:
            return self._written

    @property
    def errors(self) -> tuple[str, ...]:
        """Messages of writes the database refused."""
        with self._lock:
            return tuple(self._errors)

    def add_rep(self, rep: LiveRep) -> None:
        """Queue one counted rep (a `RepSink`); it is stored after the frames queued before it,
        so `Store.add_rep` attaches their flags to it."""
        self._put(rep)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, LiveFrame | LiveRep)
            try:
                self._write(item)
            except LiftCoachError as exc:  # StorageError: keep the stream going, report it
                what = f"frame {item.index}" if isinstance(item, LiveFrame) else "rep"
                log.warning("live %s not stored: %s", what, exc)
                with self._lock:
                    self._errors.append(str(exc))
                continue
            if isinstance(item, LiveFrame):
                with self._lock:
                    self._written += 1

    def _write(self, item: LiveFrame | LiveRep) -> None:

        if isinstance(item, LiveRep):
            r = item.rep
            self.store.add_rep(self.session_id, index=r.index, start_s=r.start_s,
                               bottom_s=r.bottom_s, end_s=r.end_s, verdict=item.feedback)
            return
        self.store.add_frame(
            self.session_id,
            index=item.index,
            t_s=item.t_s,
            keypoints=item.keypoints,
            angles_deg=item.angles_deg,
            lift=item.lift,
            view=item.view,
            thumbnail_jpeg=item.thumbnail_jpeg,
            flags=list(item.flags),
        )

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is queued, then end the session. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        _OPEN.discard(self)
        self._queue.put(_STOP)  # no timeout: everything queued before it is written first
        self._thread.join(timeout_s)
        try:
            self.store.end_session(self.session_id)
        except LiftCoachError as exc:
            log.warning("live session %d not closed cleanly: %s", self.session_id, exc)


@atexit.register
def _flush_open_writers() -> None:
    """On shutdown, write what every open stream has queued and end its session."""
    for writer in list(_OPEN):
        writer.close(timeout_s=10.0)
