"""The names every package shares: the lifts, their two gold phases, and the camera views.

Defined once here; everything else imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LIFTS: tuple[str, ...] = ("squat", "bench", "deadlift")
# The two positions a lift is compared at, in the order a rep passes them from its start.
PHASES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "squat": ("standing", "bottom"),
        "bench": ("lockout", "chest"),
        "deadlift": ("setup", "lockout"),
    }
)
# The views a gold pose is annotated from (the source's three), and every view a camera can have.
GOLD_VIEWS: tuple[str, ...] = ("front", "left", "right")
CAMERA_VIEWS: tuple[str, ...] = (*GOLD_VIEWS, "oblique")
