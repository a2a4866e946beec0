"""The typical adult's lengths stay the Drillis & Contini fractions of 1.75 m, to the cm."""

from __future__ import annotations

import pytest

from coach.core import body

H = body.TYPICAL_HEIGHT_M


@pytest.mark.parametrize(
    ("rounded", "exact"),
    [
        (body.TYPICAL_THIGH_M, body.THIGH_FRAC * H),
        (body.TYPICAL_SHANK_M, body.SHANK_FRAC * H),
        (body.TYPICAL_UPPER_ARM_M, body.UPPER_ARM_FRAC * H),
        (body.TYPICAL_FOREARM_M, body.FOREARM_FRAC * H),
        (body.TYPICAL_TORSO_M, body.TRUNK_FRAC * H),
        (body.TYPICAL_SHOULDER_WIDTH_M, body.SHOULDER_POINT_SHARE * body.BIACROMIAL_FRAC * H),
        (body.TYPICAL_HIP_WIDTH_M, body.HIP_POINT_SHARE * body.HIP_BREADTH_FRAC * H),
    ],
    ids=["thigh", "shank", "upper_arm", "forearm", "torso", "shoulder_width", "hip_width"],
)
def test_typical_lengths_are_the_fractions_to_the_centimetre(rounded: float, exact: float) -> None:
    assert rounded == pytest.approx(exact, abs=0.01)
