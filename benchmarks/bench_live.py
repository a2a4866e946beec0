"""Live and photo pages end to end, in a real Chromium, on the embedded MediaPipe backend.

Live: Chromium's fake camera plays a fixture squat clip at 640x480, 30 fps; the Live page
streams it to the server for `STREAM_S` seconds. Reported: frames processed per second and
server-side processing latency p50/p95 as the page shows them (the analyzer's own
measurement over its last 120 frames), and the fps recomputed from the rows the database
received. Photo: seconds from pressing Analyse to the annotated photo on screen, for a 1920x1080
frame of the same clip (first run includes loading the model; later runs are warm).

Targets (reported, not asserted): >= 25 fps, p95 <= 60 ms, photo <= 1.5 s.
Reuses the browser tests' harness (tests/browser/harness.py).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.common import stats_ms

if TYPE_CHECKING:
    from tests.browser.harness import StreamlitServer

STREAM_S = 20.0
PHOTO_RUNS = 4
TARGET_FPS, TARGET_P95_MS, TARGET_PHOTO_S = 25.0, 60.0, 1.5


def run(fixtures: Path | None) -> str:
    """Markdown section with the measured figures (or why they could not be measured)."""
    from tests.browser import harness

    head = "## Live and photo pages (real browser, MediaPipe, 640x480 fake camera)\n\n"
    missing = _missing(fixtures, harness)
    if missing:
        return head + f"Not measured: {missing}.\n"
    assert fixtures is not None
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp_name:
        tmp = Path(tmp_name)
        y4m = harness.make_y4m(fixtures / harness.SQUAT_CLIP, tmp / "squat.y4m")
        photo = _frame_1080p(fixtures / harness.SQUAT_CLIP, tmp / "squat-1080p.jpg")
        # One person on localhost, as the browser tests: sign-in is not what is timed here.
        env = {"LIFTCOACH_BACKEND": "mediapipe", "LIFTCOACH_SINGLE_USER": "1"}
        with harness.streamlit_server(tmp / "data", env=env) as server, sync_playwright() as pw, \
                harness.launch_chromium(pw, tmp / "profile", y4m=y4m) as browser:  # fmt: skip
            page = browser.new_page()
            page.set_default_timeout(60_000)
            photo_s = [
                harness.upload_photos(page, server.url, f"Bench {i}", [photo], lift="squat")
                for i in range(PHOTO_RUNS)
            ]
            live = _live(page, server)
    return head + _report(live, photo_s)


def _missing(fixtures: Path | None, harness: object) -> str:
    if fixtures is None:
        return "the shared fixtures folder was not found"
    if not Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium is not installed"
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return ""


def _frame_1080p(clip: Path, out: Path) -> Path:
    cmd = ["ffmpeg", "-y", "-loglevel", "error", "-ss", "3", "-i", str(clip), "-frames:v", "1",
           "-vf", "scale=1920:1080", "-q:v", "2", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    return out


def _live(page: object, server: StreamlitServer) -> dict[str, float]:
    from coach.auth.viewer import Viewer
    from coach.store.store import Store
    from tests.browser import harness

    harness.start_live(page, server, "Bench live", lift="squat")
    harness.wait_for_live_frames(server.database_url, "Bench live", 1, timeout_s=60)
    time.sleep(STREAM_S)
    metrics = harness.read_live_metrics(page)
    harness.stop_live(page)
    store = Store.open(server.database_url, viewer=Viewer.operator())
    try:
        session = next(s for s in store.list_sessions(athlete="Bench live") if s.kind == "live")
        frames = store.load_session(session.id).frames
    finally:
        store.close()
    span_s = frames[-1].t_s - frames[0].t_s if len(frames) > 1 else float("nan")
    metrics["db_frames"] = float(len(frames))
    metrics["db_fps"] = (len(frames) - 1) / span_s if span_s > 0 else float("nan")
    metrics["db_with_skeleton"] = float(sum(f.keypoints is not None for f in frames))
    return metrics


def _report(live: dict[str, float], photo_s: list[float]) -> str:
    fps, p50, p95 = (live.get(k, float("nan")) for k in ("Frames / s", "Latency p50",
                                                           "Latency p95"))  # fmt: skip
    warm = stats_ms([s * 1000 for s in photo_s[1:]]) if len(photo_s) > 1 else None
    lines = [
        f"Streamed {STREAM_S:.0f} s. Figures from the Live page are the analyzer's own, over "
        "its last 120 frames.\n",
        "| measure | value | target |",
        "|---|---|---|",
        f"| live frames processed / s (page) | {fps:.1f} | >= {TARGET_FPS:.0f} |",
        f"| live frames processed / s (database rows over their time span) | "
        f"{live.get('db_fps', float('nan')):.1f} | >= {TARGET_FPS:.0f} |",
        f"| live processing latency p50 | {p50:.0f} ms | |",
        f"| live processing latency p95 | {p95:.0f} ms | <= {TARGET_P95_MS:.0f} ms |",
        f"| live frames stored / with a skeleton | {live.get('db_frames', 0):.0f} / "
        f"{live.get('db_with_skeleton', 0):.0f} | |",
        f"| photo 1920x1080, Analyse to result, first (model load) | {photo_s[0]:.2f} s | |",
    ]
    if warm is not None:
        lines.append(f"| photo 1920x1080, Analyse to result, warm median ({warm.n} runs) | "
                     f"{warm.median_ms / 1000:.2f} s | <= {TARGET_PHOTO_S} s |")
    return "\n".join(lines) + "\n"
