"""JSON forms of keypoints and angles: NaN is written as JSON null and read back as NaN.

JSON has no NaN (PostgreSQL refuses it), so every float that goes into a JSON column passes
through here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from coach.core.errors import StorageError
from coach.core.keypoints import Keypoints

KeypointRows = list[list[float | None] | None]


def finite_or_none(value: float | None) -> float | None:
    """`value` as a float, or None when it is None, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def nan_if_none(value: float | None) -> float:
    """Inverse of `finite_or_none`: None becomes NaN."""
    return math.nan if value is None else float(value)


def keypoints_to_json(keypoints: Keypoints | None) -> KeypointRows | None:
    """One frame of keypoints as 17 `[x_px, y_px, score]` or null (the CLI's form).

    Raises:
        StorageError: `keypoints` holds more than one frame.
    """
    if keypoints is None:
        return None
    if len(keypoints) != 1:
        raise StorageError(f"a frame holds one pose (T=1), got keypoints with T={len(keypoints)}")
    rows: KeypointRows = []
    for row in keypoints.to_list(0):
        rows.append(None if row is None else [finite_or_none(v) for v in row])
    return rows


# What a damaged JSON column (edited by hand, or written by other software) raises on decoding.
_DAMAGE = (ValueError, TypeError, AttributeError)


def keypoints_from_json(rows: list[Any] | None) -> Keypoints | None:
    """Inverse of `keypoints_to_json`; a null score reads back as NaN.

    Raises:
        StorageError: the stored keypoints are not 17 rows of numbers or nulls.
    """
    if rows is None:
        return None
    try:
        clean: list[list[float] | None] = [
            None if row is None else [nan_if_none(v) for v in row] for row in rows
        ]
        return Keypoints.from_list(clean)
    except _DAMAGE as exc:
        raise StorageError(f"stored keypoints are damaged ({exc}); the database row was "
                           "changed by something other than LiftCoach") from None


def angles_to_json(angles_deg: Mapping[str, float]) -> dict[str, float | None]:
    """Angles by name with NaN as None, ready for a JSON column.

    Raises:
        StorageError: a name is not a non-empty string.
    """
    out: dict[str, float | None] = {}
    for name, value in angles_deg.items():
        if not isinstance(name, str) or not name:
            raise StorageError(f"angle names must be non-empty strings, got {name!r}")
        out[name] = finite_or_none(value)
    return out


def angles_from_json(data: Mapping[str, Any] | None) -> dict[str, float]:
    """Inverse of `angles_to_json`: None becomes NaN.

    Raises:
        StorageError: the stored angles are not names with numbers or nulls.
    """
    try:
        return {str(name): nan_if_none(value) for name, value in (data or {}).items()}
    except _DAMAGE as exc:
        raise StorageError(f"stored joint angles are damaged ({exc}); the database row was "
                           "changed by something other than LiftCoach") from None
