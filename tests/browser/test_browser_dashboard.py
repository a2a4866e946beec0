"""The dashboard in a real Chromium: photo upload, live webcam (fake camera), sessions export.

Tests run in file order and share one server: the live session recorded by the second test
is the one the third test opens (it seeds one itself when run alone).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest

from coach.auth.viewer import Viewer
from coach.store.export import BASE_COLUMNS, KEYPOINT_COLUMNS
from coach.store.store import Store
from tests.browser.harness import (
    SQUAT_PHOTO,
    StreamlitServer,
    live_session_frames,
    read_live_metrics,
    start_live,
    stop_live,
    upload_photos,
    wait_app_idle,
    wait_for_live_frames,
)

pytestmark = pytest.mark.browser
LIVE_FRAMES = 50


def test_photo_upload_shows_verdicts_and_is_saved(
    page: Any, server: StreamlitServer, fixtures: Path
) -> None:
    seconds = upload_photos(page, server.url, "Ada", [fixtures / SQUAT_PHOTO])  # lift: auto
    print(f"\nphoto: upload-to-result {seconds:.2f} s")
    page.get_by_text("Per-view vote").wait_for(timeout=30_000)
    assert page.get_by_text("Flagged joints").is_visible()
    # The flags table and the vote table (data grids render a moment after their header).
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30_000)
    assert page.locator('[data-testid="stMetric"]').first.inner_text().startswith("Lift")
    page.get_by_text("Saved for Ada as session #").wait_for()
    page.goto(f"{server.url}/sessions")
    wait_app_idle(page)
    # The newest session opens by default; its header names the athlete and the kind.
    page.get_by_text("Ada, photo").first.wait_for()


def test_live_page_records_the_fake_camera(page: Any, server: StreamlitServer) -> None:
    # The coach names the lift before a live set (the Photo test covers classification).
    start_live(page, server, "Lu", lift="squat")
    session_id, frames, with_kp = wait_for_live_frames(
        server.database_url, "Lu", LIVE_FRAMES, timeout_s=90
    )
    assert frames >= LIVE_FRAMES, f"only {frames} frames stored:\n{server.log_tail()}"
    assert with_kp >= 0.8 * frames, f"a skeleton in only {with_kp} of {frames} frames"
    page.get_by_text("Frames analysed:").wait_for(timeout=15_000)
    time.sleep(1.0)  # let the panel refresh once more
    metrics = read_live_metrics(page)
    print(f"\nlive: {metrics}")
    # What the lifter sees: the frames counted on the page, nearly all with a skeleton. (Speed
    # floors live in benchmarks/bench_live.py, not here.)
    assert metrics["frames"] >= LIVE_FRAMES, metrics
    assert metrics["with_skeleton"] >= 0.8 * metrics["frames"], metrics
    stop_live(page)
    store = Store.open(server.database_url, viewer=Viewer.operator())
    try:
        deadline = time.monotonic() + 30
        while store.load_session(session_id).ended_at is None and time.monotonic() < deadline:
            time.sleep(0.3)
        detail = store.load_session(session_id)
    finally:
        store.close()
    assert detail.kind == "live" and detail.ended_at is not None
    assert len(detail.frames) >= frames, "rows written while streaming must all remain"
    assert [f.index for f in detail.frames] == list(range(len(detail.frames)))
    assert all(f.angles_deg for f in detail.frames if f.keypoints is not None)


def _ensure_a_session(server: StreamlitServer) -> None:
    if live_session_frames(server.database_url, "Lu")[1] > 0:
        return
    from coach.core.keypoints import Keypoints

    store = Store.open(server.database_url, viewer=Viewer.operator())
    try:
        sid = store.start_session(store.get_or_create_athlete("Lu"), "live", backend="seeded")
        for i in range(10):
            kp = Keypoints.from_list([[100.0 + i, 100.0 + 10 * j, 0.9] for j in range(17)])
            store.add_frame(sid, index=i, t_s=i / 10, keypoints=kp,
                            angles_deg={"left_knee": 170.0 - 5 * i})
        store.end_session(sid)
    finally:
        store.close()


def test_sessions_page_charts_and_exports_csv(page: Any, server: StreamlitServer) -> None:
    _ensure_a_session(server)
    page.goto(f"{server.url}/sessions")
    wait_app_idle(page)
    page.get_by_text("Session #").first.wait_for()
    chart = page.locator('[data-testid="stPlotlyChart"] .main-svg').first
    chart.wait_for(state="visible", timeout=30_000)
    assert page.locator('[data-testid="stPlotlyChart"] .scatterlayer .trace').count() >= 1
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    header = rows[0]
    assert tuple(header[: len(BASE_COLUMNS)]) == BASE_COLUMNS
    assert set(KEYPOINT_COLUMNS) <= set(header)
    assert any(c.endswith("_deg") for c in header) and "flag_count" in header
    assert len(rows) > 1
