"""The Video page's click on a real clip (MediaPipe): the first frame is kept as a preview in the
clip's proportions, a click in original pixels reaches the tracker, and the session says where.

Clip: gym-app-ai_TheSebitzu/videos/videos__squat.mp4 (1920x926, front view, one lifter; the
fixtures hold no clip with two people, tests/app covers two with replay keypoints).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from coach.auth.viewer import Viewer
from coach.core.settings import Settings
from coach.pipeline.clip_session import PREVIEW_MAX_SIDE_PX, analyse_set
from coach.store.store import Store

CLIP = "gym-app-ai_TheSebitzu/videos/videos__squat.mp4"


def test_a_click_on_the_first_frame_of_a_real_clip_picks_the_lifter(
    fixtures: Path, tmp_path: Path
) -> None:
    clip = fixtures / CLIP
    settings = Settings(backend="mediapipe", data_dir=str(tmp_path))
    with Store.open(settings.resolved_database_url, viewer=Viewer.operator()) as store:
        # 5 fps keeps the test short; the click sits on the lifter's chest (measured bbox
        # x 793..1210, y 97..927 on this clip).
        result = analyse_set((clip.name, clip.read_bytes()), settings, store, athlete="Real",
                             lift="squat", fps=5.0, click_xy=(1000.0, 400.0))  # fmt: skip
        notes = store.load_session(result.session_id).notes if result.session_id else ""
    assert result.preview_jpeg is not None
    preview = cv2.imdecode(np.frombuffer(result.preview_jpeg, np.uint8), cv2.IMREAD_COLOR)
    info = result.analysis.info
    assert preview.shape[1] == PREVIEW_MAX_SIDE_PX  # the longer side, scaled down
    assert abs(preview.shape[0] / preview.shape[1] - info.height_px / info.width_px) < 0.01
    people = result.analysis.people
    assert people is not None and people.lifter_reason.startswith("clicked on frame 0")
    x, y, w, h = next(t.bbox_xywh for t in people.tracks if t.track_id == people.lifter_track_id)
    assert x <= 1000.0 <= x + w and y <= 400.0 <= y + h  # original pixels, like the click
    assert result.click_xy == (1000.0, 400.0) and "lifter picked at (1000, 400)" in notes
    assert result.request is not None and result.request.lift == "squat"
