"""The live writer: a bounded queue, and rows flushed when the process exits."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coach.auth.viewer import Viewer
from coach.live import writer as writer_module
from coach.live.state import LiveFrame
from coach.live.writer import StoreFrameWriter
from coach.store.store import Store

REPO = Path(__file__).resolve().parents[2]


class StalledStore:
    """A store whose writes wait until released (a database that stopped answering)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.frames = 0

    def add_frame(self, session_id: int, **_: object) -> int:
        self.release.wait(10)
        self.frames += 1
        return self.frames

    def end_session(self, session_id: int) -> None:
        pass


def test_a_stalled_database_drops_frames_instead_of_growing(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:  # fmt: skip
    monkeypatch.setattr(writer_module, "MAX_QUEUED", 4)
    monkeypatch.setattr(writer_module, "PUT_TIMEOUT_S", 0.01)
    store = StalledStore()
    writer = StoreFrameWriter(store, 1)  # type: ignore[arg-type]
    for i in range(20):
        writer(LiveFrame(i, i / 25, None, {}, None, None))
    assert writer.dropped >= 20 - 4 - 1  # queue + the one being written
    assert "fell behind" in writer.errors[0]
    store.release.set()
    writer.close()
    assert store.frames + writer.dropped == 20


EXITING = """
import sys
from coach.auth.viewer import Viewer
from coach.live.state import LiveFrame
from coach.live.writer import StoreFrameWriter
from coach.store.store import Store
store = Store.open(sys.argv[1], viewer=Viewer.operator())
sid = store.start_session(store.get_or_create_athlete("Ada"), "live")
writer = StoreFrameWriter(store, sid)
for i in range(120):
    writer(LiveFrame(i, i / 25, None, {"left_knee": 90.0}, None, None))
print(sid)
# no writer.close(): the process ends with frames still queued
"""


def test_queued_frames_are_flushed_when_the_process_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = subprocess.run([sys.executable, "-c", EXITING, url], cwd=REPO, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Store.open(url, viewer=Viewer.operator()) as store:
        detail = store.load_session(int(done.stdout))
    assert len(detail.frames) == 120 and detail.ended_at is not None
