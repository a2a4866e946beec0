"""The Live page counts the reps of a real clip played through Chromium's fake camera.

Clip: gym_tracker_Jurisimo00/videos/squat.mp4, 8 bodyweight squats by hand count
(tests/reps/test_segment_real.py), side view, 640x360 at 23.976 fps, 347 frames, 14.47 s. It is
turned into a .y4m at its own size and frame rate, with its first frame held for `LEAD_S` before it
and its last frame held for `TAIL_S` after it: the fake camera starts playing before the WebRTC
connection is up (the first frame reaches the server ~1 s after START), so without the lead the
first squat would be half gone. Chromium loops the file, so the test stops after one pass: when
the stored frames reach `STOP_AT_S` seconds after the first analysed one (past the end of the
squats, before the next pass's squats can start).

Measured on the project machine (2 cores, MediaPipe on the CPU, Chromium and the server in the
same box), 2026-11-20, printed as "live reps: ...": counted 8 of 8 (the page showed 8); 365
frames analysed of ~447 the camera delivered over 18.6 s, i.e. 18% dropped by the
freshest-frame policy (about 19.6 fps analysed of 23.98), which the time-based 0.3 s lockout
hold absorbs. The first analysed frame came ~0.4 s into the lead-in (first lockout at 4.1 s
vs 1.5 s + 3.0 s of lead). A second run: 8 of 8, 372 of ~449 frames (17% dropped). So no
+-1 tolerance was needed; the assertion allows one only
when a quarter or more of the frames were dropped.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coach.auth.viewer import Viewer
from coach.store.store import Store
from tests.browser.harness import (
    StreamlitServer,
    launch_chromium,
    start_live,
    stop_live,
    wait_app_idle,
)
from tests.skips import skip_or_fail

pytestmark = pytest.mark.browser
CLIP = "gym_tracker_Jurisimo00/videos/squat.mp4"
HAND_COUNT = 8
CLIP_FPS = 24000 / 1001
CLIP_S = 14.47
LEAD_S, TAIL_S = 3.0, 1.5
# Content ends LEAD_S + CLIP_S into the pass; the next pass's squats start a full
# TAIL_S + LEAD_S later. t_s of stored frames counts from the first analysed frame, which the
# camera shows 0-2 s into the lead, so stopping at this t_s lands between the two.
STOP_AT_S = LEAD_S + CLIP_S + 0.2


@pytest.fixture(scope="module")
def squat_camera(
    fixtures: Path, playwright_driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    clip = fixtures / CLIP
    if not clip.is_file():
        skip_or_fail(f"fixture clip missing: {clip}")
    y4m = tmp_path_factory.mktemp("squat-camera") / "squat8.y4m"
    pad = (f"tpad=start_duration={LEAD_S}:start_mode=clone:"
           f"stop_duration={TAIL_S}:stop_mode=clone")  # fmt: skip
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(clip), "-vf", pad,
                    "-pix_fmt", "yuv420p", str(y4m)], check=True, timeout=120)  # fmt: skip
    header = y4m.open("rb").readline().decode()
    assert " F24000:1001 " in header and " W640 H360 " in header, header  # rate and size kept
    with launch_chromium(playwright_driver, tmp_path_factory.mktemp("profile"), y4m=y4m) as ctx:
        yield ctx


def _newest_live(store: Store, athlete: str) -> Any:
    live = [s for s in store.list_sessions(athlete=athlete) if s.kind == "live"]
    return store.load_session(live[0].id) if live else None


def _reps_on_page(page: Any) -> int | None:
    for metric in page.locator('[data-testid="stMetric"]').all():
        if metric.locator('[data-testid="stMetricLabel"]').inner_text().strip() == "Reps":
            return int(metric.locator('[data-testid="stMetricValue"]').inner_text().strip())
    return None


def test_live_page_counts_the_squats_of_a_clip(squat_camera: Any, server: StreamlitServer
                                               ) -> None:  # fmt: skip
    page = squat_camera.new_page()
    page.set_default_timeout(60_000)
    start_live(page, server, "Rex", lift="squat")
    t_start = time.monotonic()
    store = Store.open(server.database_url, viewer=Viewer.operator())
    try:
        detail, deadline = None, t_start + STOP_AT_S + 40
        while time.monotonic() < deadline:
            detail = _newest_live(store, "Rex")
            if detail is not None and detail.frames and detail.frames[-1].t_s >= STOP_AT_S:
                break
            time.sleep(1.0)
        assert detail is not None and detail.frames, f"no live frames:\n{server.log_tail()}"
        assert detail.frames[-1].t_s >= STOP_AT_S, "the stream stalled before one pass ended"
        stop_live(page)
        end = time.monotonic() + 30
        while _newest_live(store, "Rex").ended_at is None and time.monotonic() < end:
            time.sleep(0.3)
        detail = _newest_live(store, "Rex")
    finally:
        store.close()
    wait_app_idle(page)
    shown = _reps_on_page(page)
    frames = detail.frames
    span_s = frames[-1].t_s - frames[0].t_s
    delivered = round(span_s * CLIP_FPS) + 1  # what the fake camera played over that span
    dropped = 1.0 - len(frames) / delivered
    count = len(detail.reps)
    print(f"\nlive reps: counted {count} (hand count {HAND_COUNT}, page shows {shown}); "
          f"{len(frames)} frames analysed of {delivered} delivered over {span_s:.1f} s "
          f"({dropped:.0%} dropped by the freshest-frame policy); "
          f"{time.monotonic() - t_start:.1f} s from START to STOP; reps at "
          f"{[round(r.end_s, 1) for r in detail.reps]} s")
    page.close()
    assert shown == count, "the page and the database disagree"
    assert all(r.verdict.startswith(f"rep {r.index + 1}: ") for r in detail.reps)
    if count != HAND_COUNT:
        # +-1 is allowed only when the camera's frames were dropped heavily enough to hide a
        # rep's 0.3 s lockout hold (a quarter of them or more).
        assert abs(count - HAND_COUNT) == 1 and dropped >= 0.25, (
            f"counted {count}, hand count {HAND_COUNT}, {dropped:.0%} frames dropped")
