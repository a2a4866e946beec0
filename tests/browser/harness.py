"""Real-browser harness shared by the browser tests and benchmarks/bench_live.py.

- `StreamlitServer`: `streamlit run app.py` on a free localhost port, headless, with its own
  data folder and environment; stopped (its own process only) on exit.
- `launch_chromium`: Debian's Chromium through Playwright, with a fake camera that plays a
  .y4m file (`make_y4m` converts a fixture clip with ffmpeg).
- Page drivers (`upload_photos`, `start_live`, `read_live_metrics`, ...) with explicit waits.

Nothing here asserts; callers decide what is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SQUAT_CLIP = "gym-app-ai_TheSebitzu/videos/videos__squat.mp4"
SQUAT_PHOTO = "gym-app-ai_TheSebitzu/frames/videos__squat_f00191.jpg"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]  # fmt: skip


# What Streamlit renders for st.error and for an uncaught exception.
ERRORS = '[data-testid="stAlertContentError"], [data-testid="stException"]'


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class StreamlitServer:
    """A running `streamlit run app.py`; `url` is its base address."""

    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log_path: Path

    def log_tail(self, n_chars: int = 4000) -> str:
        """The end of the server's output, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-n_chars:]
        except OSError:
            return ""

    @property
    def database_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'liftcoach.sqlite3').resolve()}"


@contextmanager
def streamlit_server(
    data_dir: Path, *, env: Mapping[str, str] | None = None, start_timeout_s: float = 90.0
) -> Iterator[StreamlitServer]:
    """Serve the app headless on a free port with LIFTCOACH_DATA=data_dir; stop it after.

    The database is SQLite in data_dir unless `env` names a DATABASE_URL (never the caller's
    own environment's)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env = {**inherited, "LIFTCOACH_DATA": str(data_dir), **(env or {})}
    log_path = data_dir / "streamlit.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=log, stderr=log)
    server = StreamlitServer(process, f"http://127.0.0.1:{port}", data_dir, log_path)
    try:
        _wait_healthy(server, start_timeout_s)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_healthy(server: StreamlitServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy in {timeout_s} s:\n{server.log_tail()}")


def make_y4m(
    clip: Path, out: Path, *, seconds: float = 8.0, size: tuple[int, int] = (640, 480),
    fps: int = 30,
) -> Path:  # fmt: skip
    """Convert the first `seconds` of a clip to a raw .y4m for Chromium's fake camera."""
    width, height = size
    cmd = [
        "ffmpeg", "-y", "-loglevel", "error", "-t", str(seconds), "-i", str(clip),
        "-vf", f"scale={width}:{height},fps={fps}", "-pix_fmt", "yuv420p", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return out


@contextmanager
def launch_chromium(
    playwright: Any, profile_dir: Path, *, y4m: Path | None = None
) -> Iterator[Any]:
    """A fresh persistent Chromium context (Playwright), optionally with a fake camera."""
    args = list(CHROMIUM_FLAGS)
    if y4m is not None:
        args.append(f"--use-file-for-fake-video-capture={y4m}")
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=str(CHROMIUM), headless=True, args=args,
        accept_downloads=True, viewport={"width": 1400, "height": 1000},
    )  # fmt: skip
    try:
        yield context
    finally:
        context.close()


def wait_app_idle(page: Any, timeout_ms: float = 60_000) -> None:
    """Wait until the page has rendered and Streamlit's current script run has finished
    (`stApp`'s data-test-script-state is "notRunning")."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # Every page starts with st.title: until it is there the first run has not rendered.
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )


def fill_text(page: Any, label: str, value: str) -> None:
    """Type into a Streamlit text input and commit it (Enter)."""
    box = page.get_by_label(label)
    box.fill(value)
    box.press("Enter")


def _timeout_error() -> type[Exception]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    return PlaywrightTimeoutError


def upload_photos(
    page: Any, base_url: str, athlete: str, photos: list[Path], lift: str | None = None
) -> float:
    """On the Photo page: name the athlete (and lift), upload photos, press Analyse, wait for
    the annotated image. Returns seconds from the Analyse click to the result on screen.

    Raises:
        AssertionError: the page showed an error instead.
    """
    page.goto(base_url)
    wait_app_idle(page)
    fill_text(page, "Athlete", athlete)
    if lift is not None:
        choose_option(page, "Lift", lift)
    wait_app_idle(page)
    files = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    for attempt in range(2):
        files.set_input_files([str(p) for p in photos])
        try:  # the upload is done when the uploader lists the file (long names are
            # shortened in the middle, so match the end)
            for photo in photos:
                page.get_by_text(photo.name[-10:]).first.wait_for(timeout=15_000)
            break
        except _timeout_error():
            if attempt:  # a rerun can swallow the first attempt; twice is a real failure
                raise
    wait_app_idle(page)
    button = page.get_by_role("button", name="Analyse")
    button.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('button')].some(
               b => b.innerText.trim() === 'Analyse' && !b.disabled)""",
        timeout=30_000,
    )
    t0 = time.perf_counter()
    button.click()
    done = page.locator(f'[data-testid="stImage"] img, {ERRORS}').first
    done.wait_for(state="visible", timeout=90_000)
    elapsed = time.perf_counter() - t0
    errors = page.locator(ERRORS)
    if errors.count():
        raise AssertionError(f"the Photo page showed an error: {errors.first.inner_text()}")
    return elapsed


def webrtc_frame(page: Any) -> Any:
    """The streamlit-webrtc component's iframe."""
    page.wait_for_selector('iframe[title*="webrtc"]', timeout=60_000)
    return page.frame_locator('iframe[title*="webrtc"]')


def choose_option(page: Any, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    page.get_by_role("combobox", name=label).click()  # streamlit 1.60: a react-aria combobox
    page.get_by_role("option", name=option, exact=True).click()
    wait_app_idle(page)


def start_live(page: Any, server: StreamlitServer, athlete: str, lift: str | None = None
               ) -> None:  # fmt: skip
    """Open the Live page, name the athlete (and lift), press START (the fake camera is
    granted by the Chromium flags), and wait until the stream has opened its session.

    Once in a full run the first START of a server opened no session in 90 s (the click
    lost to a rerun, or a connection that never came up): START is pressed again, after
    STOP when the component still shows it, if no session opens in 45 s."""
    page.goto(f"{server.url}/live")
    wait_app_idle(page)
    fill_text(page, "Athlete", athlete)
    wait_app_idle(page)
    if lift is not None:
        choose_option(page, "Lift", lift)
    before = _live_sessions(server.database_url, athlete)
    camera = webrtc_frame(page)
    for _ in range(2):
        camera.get_by_role("button", name="START").click(timeout=60_000)
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if _live_sessions(server.database_url, athlete) > before:
                return
            time.sleep(0.5)
        stop = camera.get_by_role("button", name="STOP")
        if stop.is_visible():
            stop.click()
    raise AssertionError(f"two STARTs opened no live session:\n{server.log_tail()}")


def _live_sessions(database_url: str, athlete: str) -> int:
    """How many live sessions the athlete has (a COUNT, cheap to poll)."""
    from coach.auth.viewer import Viewer
    from coach.store.store import Store

    store = Store.open(database_url, viewer=Viewer.operator())
    try:
        return sum(s.kind == "live" for s in store.list_sessions(athlete=athlete))
    finally:
        store.close()


def stop_live(page: Any) -> None:
    webrtc_frame(page).get_by_role("button", name="STOP").click(timeout=30_000)


def read_live_metrics(page: Any) -> dict[str, float]:
    """fps, latency p50/p95 (ms) and frame counts as the Live page shows them now."""
    out: dict[str, float] = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        number = re.search(r"[\d.]+", value)
        if number and label in {"Frames / s", "Latency p50", "Latency p95"}:
            out[label] = float(number.group())
    text = page.locator('[data-testid="stMarkdown"]').all_inner_texts()
    for line in text:
        found = re.search(r"Frames analysed: (\d+) · with a skeleton: (\d+)", line)
        if found:
            out["frames"], out["with_skeleton"] = float(found[1]), float(found[2])
    return out


def live_session_frames(database_url: str, athlete: str) -> tuple[int | None, int, int]:
    """(session id, frames stored, frames with keypoints) of the athlete's newest live session."""
    from coach.auth.viewer import Viewer
    from coach.store.store import Store

    store = Store.open(database_url, viewer=Viewer.operator())
    try:
        live = [s for s in store.list_sessions(athlete=athlete) if s.kind == "live"]
        if not live:
            return None, 0, 0
        detail = store.load_session(live[0].id)
        return live[0].id, len(detail.frames), sum(f.keypoints is not None for f in detail.frames)
    finally:
        store.close()


def wait_for_live_frames(
    database_url: str, athlete: str, n_frames: int, timeout_s: float = 60.0
) -> tuple[int | None, int, int]:
    """Poll the database until the athlete's live session has `n_frames` rows (or time out).

    Polls the cheap session list (a COUNT), not the frames, so the test process steals as
    little CPU as possible from the server it is measuring.
    """
    from coach.auth.viewer import Viewer
    from coach.store.store import Store

    deadline = time.monotonic() + timeout_s
    store = Store.open(database_url, viewer=Viewer.operator())
    try:
        while time.monotonic() < deadline:
            live = [s for s in store.list_sessions(athlete=athlete) if s.kind == "live"]
            if live and live[0].frame_count >= n_frames:
                break
            time.sleep(0.5)
    finally:
        store.close()
    return live_session_frames(database_url, athlete)
