"""The 2-of-3 vote on constructed per-view verdicts (coach.form.vote via coach.form.scoring)."""

from __future__ import annotations

import pytest

from coach.core.keypoints import Joint
from coach.form.scoring import (
    RESULT_FRONT_GOOD,
    RESULT_NO_VERDICT,
    RESULT_SIDE_GOOD,
    PairResult,
    PairVerdict,
    band_confidence,
    pair_is_flagged,
    vote,
)

J = Joint



def _pair(joints, front: str, left: str, right: str, name: str = "") -> PairResult:
    per_view = {v: PairVerdict(1.0, 2.0 if s == "bad" else 1.0, s)
                for v, s in (("front", front), ("left", left), ("right", right))}  # fmt: skip
    return PairResult(joints, 0.5, per_view, name)


THIGH = (J.LEFT_HIP, J.LEFT_KNEE)


ANKLES = (J.LEFT_ANKLE, J.RIGHT_ANKLE)


WRISTS = (J.LEFT_WRIST, J.RIGHT_WRIST)


@pytest.mark.parametrize(
    ("verdicts", "flagged"),
    [
        (("bad", "ok", "ok"), False),  # 1 of 3 is not enough
        (("ok", "bad", "ok"), False),
        (("bad", "bad", "ok"), True),  # 2 of 3 is
        (("ok", "bad", "bad"), True),
        (("bad", "bad", "bad"), True),
        (("bad", "not_judgeable", "not_judgeable"), True),  # the only view that can show it
        (("not_judgeable", "bad", "ok"), False),  # 1 of 2
        (("not_judgeable", "bad", "bad"), True),
        (("missing", "missing", "missing"), False),
        (("not_judgeable",) * 3, False),
    ],
)
def test_pair_is_flagged(verdicts: tuple[str, str, str], flagged: bool) -> None:
    assert pair_is_flagged(_pair(THIGH, *verdicts).per_view) is flagged


def test_vote_one_of_three_is_not_enough_two_of_three_is() -> None:
    one = vote((_pair(THIGH, "bad", "ok", "ok"), _pair(ANKLES, "ok", "bad", "ok")))
    assert not one.front_lift_good and not one.side_lift_good
    assert one.flagged_pairs == () and one.result == RESULT_NO_VERDICT
    two = vote((_pair(THIGH, "bad", "bad", "ok", "left thigh"), _pair(ANKLES, "ok", "ok", "bad")))
    assert two.flagged_pairs == (THIGH,)
    assert "left thigh" in two.result
    assert two.per_view["left"].bad_pairs == (THIGH,) and two.per_view["left"].calls_bad


def test_front_lift_in_good_form_overrides_the_side_views() -> None:
    v = vote((_pair(THIGH, "ok", "bad", "bad"), _pair(WRISTS, "ok", "not_judgeable", "ok")))
    assert v.front_lift_good and not v.side_lift_good
    assert v.flagged_pairs == () and v.result == RESULT_FRONT_GOOD


def test_side_lift_in_good_form_when_left_and_right_agree() -> None:
    v = vote((_pair(THIGH, "bad", "ok", "ok"), _pair(WRISTS, "bad", "not_judgeable", "ok")))
    assert v.side_lift_good and not v.front_lift_good
    assert v.per_view["front"].calls_bad
    assert v.flagged_pairs == () and v.result == RESULT_SIDE_GOOD


def test_a_view_that_judged_nothing_does_not_agree() -> None:
    v = vote((_pair(WRISTS, "bad", "not_judgeable", "not_judgeable"),))
    assert not v.side_lift_good and v.flagged_pairs == (WRISTS,)


def test_band_confidence() -> None:
    assert band_confidence(1.0, (0.8, 1.25)) == 0.0
    assert band_confidence(1.2500001, (0.8, 1.25)) == pytest.approx(0.5, abs=1e-3)
    assert band_confidence(0.1, (0.8, 1.25)) == 1.0
    assert band_confidence(0.7, (0.8, 1.25)) > band_confidence(0.78, (0.8, 1.25))
