"""Browser-test fixtures: one headless Streamlit server (embedded MediaPipe backend, temp data
folder) and one Chromium whose fake camera plays a fixture squat clip, shared by the module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import (
    CHROMIUM,
    SQUAT_CLIP,
    StreamlitServer,
    launch_chromium,
    make_y4m,
    streamlit_server,
)
from tests.skips import skip_or_fail


def _require_browser() -> None:
    if not CHROMIUM.is_file():
        skip_or_fail(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    if shutil.which("ffmpeg") is None:
        skip_or_fail("ffmpeg is missing (it makes the fake camera's .y4m): apt-get install ffmpeg")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    _require_browser()
    data = tmp_path_factory.mktemp("liftcoach-data")
    # One lifter at home (the server listens on 127.0.0.1): these tests are about the pages;
    # tests/browser/test_browser_accounts.py runs its own server with sign-in.
    env = {"LIFTCOACH_BACKEND": "mediapipe", "LIFTCOACH_SINGLE_USER": "1"}
    with streamlit_server(data, env=env) as srv:
        yield srv


@pytest.fixture(scope="session")
def camera_y4m(fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 8 s of the fixture squat clip at 640x480, 30 fps (Chromium loops it)."""
    _require_browser()
    clip = fixtures / SQUAT_CLIP
    if not clip.is_file():
        skip_or_fail(f"fixture clip missing: {clip}")
    return make_y4m(clip, tmp_path_factory.mktemp("camera") / "squat.y4m")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver for the whole run (the sync API allows one per thread); each
    fake-camera clip gets its own Chromium context from it."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(
    camera_y4m: Path, playwright_driver: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with launch_chromium(
        playwright_driver, tmp_path_factory.mktemp("chromium-profile"), y4m=camera_y4m
    ) as context:
        yield context


@pytest.fixture
def page(browser: Any, server: StreamlitServer) -> Iterator[Any]:
    tab = browser.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    tab.close()
