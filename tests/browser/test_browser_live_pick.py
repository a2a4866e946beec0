"""Picking the lifter on the Live page in a real Chromium: open "Wrong person? Pick the lifter"
while the fake camera (the gym-app-ai squat clip, one lifter) plays, click on the picture where
the lifter is, and on an empty corner. The click goes through Plotly's own selection and
Streamlit's selection callback to the running analyzer (tests/app/test_live_pick.py covers two
people with the replay backend)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from coach.auth.viewer import Viewer
from coach.store.store import Store
from tests.browser.harness import (
    StreamlitServer,
    _timeout_error,
    start_live,
    stop_live,
    wait_for_live_frames,
)

pytestmark = pytest.mark.browser
ATHLETE = "Pia"


def _on_the_lifter(database_url: str) -> tuple[float, float]:
    """A point inside the lifter's box on (nearly) every stored frame, in frame pixels: the
    centre of where 95 % of the boxes overlap (the lifter squats: their box's top moves by
    half the frame). The picture on the page is one of those frames, seconds old."""
    store = Store.open(database_url, viewer=Viewer.operator())
    try:
        live = [s for s in store.list_sessions(athlete=ATHLETE) if s.kind == "live"]
        frames = [f for f in store.load_session(live[0].id).frames if f.keypoints is not None]
    finally:
        store.close()
    boxes = np.array([(np.nanmin(f.keypoints.xy[0], axis=0), np.nanmax(f.keypoints.xy[0], axis=0))
                      for f in frames if f.keypoints is not None and f.keypoints.present(0).any()])
    margin = 0.1 * (boxes[:, 1] - boxes[:, 0])  # the picture's boxes have it (and more joints)
    lo = np.percentile(boxes[:, 0] - margin, 95, axis=0)
    hi = np.percentile(boxes[:, 1] + margin, 5, axis=0)
    assert (lo < hi).all(), f"the lifter's boxes do not overlap: {lo}, {hi}"
    x, y = (lo + hi) / 2
    return float(x), float(y)


def _click_picture(page: Any, x_px: float, y_px: float) -> None:
    """Click the picker at a point of the frame: Plotly maps frame pixels to the screen."""
    chart = page.locator('[data-testid="stExpander"] .js-plotly-plot')
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    sx, sy = chart.evaluate(
        """(gd, [x, y]) => {
             const L = gd._fullLayout, box = gd.getBoundingClientRect();
             return [box.left + L.xaxis._offset + L.xaxis.l2p(x),
                     box.top + L.yaxis._offset + L.yaxis.l2p(y)];
           }""",
        [x_px, y_px],
    )
    # Plotly selects the point under its hover label: wait for the label, then click.
    label = chart.locator(".hoverlayer .hovertext")
    for _ in range(10):
        page.mouse.move(sx - 6, sy - 6)
        page.mouse.move(sx, sy, steps=4)
        try:
            label.wait_for(timeout=1_000)
            break
        except _timeout_error():
            continue
    page.mouse.click(sx, sy)


def test_a_click_on_the_live_view_picks_the_lifter(page: Any, server: StreamlitServer) -> None:
    start_live(page, server.url, ATHLETE, lift="squat")
    _, frames, _ = wait_for_live_frames(server.database_url, ATHLETE, 30, timeout_s=90)
    assert frames >= 30, f"only {frames} frames stored:\n{server.log_tail()}"
    page.get_by_text("Lifter: largest near the centre").wait_for(timeout=15_000)
    page.get_by_text("Wrong person? Pick the lifter").click()
    page.get_by_text("Click on the lifter").wait_for(timeout=30_000)

    started = time.monotonic()
    _click_picture(page, 40, 40)  # the top-left corner: nobody there
    page.get_by_text("Nobody was found at that point").wait_for(timeout=30_000)
    page.get_by_text("Lifter: largest near the centre").wait_for(timeout=15_000)
    _click_picture(page, *_on_the_lifter(server.database_url))
    page.get_by_text("That is the lifter already").wait_for(timeout=30_000)
    page.get_by_text("Lifter: clicked on frame").wait_for(timeout=15_000)
    print(f"\nlive pick: two clicks answered in {time.monotonic() - started:.1f} s")
    stop_live(page)
