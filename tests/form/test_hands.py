"""The bar faults read the tracked bar when its plate was seen, the wrists otherwise
(coach/form/hands.py), and say which."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from coach.core.keypoints import Joint, Keypoints
from coach.form.fault_check import judge_rep
from coach.form.hands import hands_xy
from tests.form import fault_poses as fp

N = 5  # fault_poses' reps have five frames


def _wrists(kp: Keypoints) -> np.ndarray:
    return kp.midpoint(Joint.LEFT_WRIST, Joint.RIGHT_WRIST)


def _bar_drift(value: float, plate_offset: tuple[float, float] = (40.0, 35.0)):
    """A deadlift rep whose wrists stay at mid-foot but whose bar (a plate `plate_offset` px
    from the hands, in front and lower: the near plate seen in perspective) passes `value`
    foot lengths ahead of mid-foot in the pull."""
    kp, traces = fp.bar_ahead(0.0)
    truth, _ = fp.bar_ahead(value)
    bar = _wrists(truth) + np.asarray(plate_offset)
    return kp, traces, bar


def _verdict(kp, traces, frames, fault_id: str, lift: str = "deadlift"):
    found = [v for v in judge_rep(lift, kp, traces, frames, "left") if v.fault.id == fault_id]
    assert len(found) == 1
    return found[0]


def test_without_a_tracked_bar_the_wrists_are_read_and_nothing_is_said() -> None:
    kp, _ = fp.bar_ahead(0.3)
    xy, source = hands_xy(kp, None, range(N))
    assert source == "" and np.allclose(xy, _wrists(kp), equal_nan=True)
    verdict = _verdict(*fp.bar_ahead(0.3), fp.FRAMES, "bar_drift")
    assert verdict.note == "1 of 1 view could judge"


@pytest.mark.parametrize(("value", "status"), [(0.1, "ok"), (0.4, "fault")])
def test_a_seen_plate_moves_the_bar_and_the_wrists_place_it(value: float, status: str) -> None:
    kp, traces, bar = _bar_drift(value)
    # The rep's median plate-to-wrists offset is taken over start..lockout: in 3 of the 5
    # frames the wrists are where the bar is, so the plate's own offset cancels out exactly.
    verdict = _verdict(kp, traces, replace(fp.FRAMES, bar_xy=bar), "bar_drift")
    assert verdict.status == status
    assert verdict.value == pytest.approx(value, abs=0.01)
    assert verdict.note.endswith("the bar from its plate")


def test_a_plate_seen_in_under_half_the_rep_leaves_the_wrists() -> None:
    kp, traces, bar = _bar_drift(0.4)
    bar[:3] = np.nan  # seen in 2 of 5 frames
    xy, source = hands_xy(kp, bar, range(N))
    assert source == "wrists" and np.allclose(xy, _wrists(kp))
    verdict = _verdict(kp, traces, replace(fp.FRAMES, bar_xy=bar), "bar_drift")
    assert verdict.status == "ok" and "its plate not seen in most of the rep" in verdict.note


def test_frames_without_the_plate_fall_back_to_the_wrists_on_the_same_line() -> None:
    kp, _, bar = _bar_drift(0.0)
    bar[4] = np.nan
    xy, source = hands_xy(kp, bar, range(N))
    assert source == "plate"
    assert np.allclose(xy, _wrists(kp))  # plate frames shifted onto the hands; frame 4 = wrists


def test_the_bench_lockout_reads_the_bar_too() -> None:
    kp, traces = fp.bench_path_end(0.0)
    truth, _ = fp.bench_path_end(20.0)
    bar = _wrists(truth) + np.asarray([0.0, 30.0])
    bar[:3] = _wrists(kp)[:3] + np.asarray([0.0, 30.0])
    verdict = _verdict(kp, traces, replace(fp.FRAMES, bar_xy=bar), "bar_path_end", "bench")
    assert verdict.status == "fault" and verdict.note.endswith("the bar from its plate")
    assert verdict.value == pytest.approx(20.0, abs=0.5)
