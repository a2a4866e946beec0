"""The bar's results: per-frame path, per-rep metrics, and the clip's whole bar analysis.

Conventions:
- Positions are the bar's end in the ORIGINAL video's pixels, x right and y down, NaN where the
  bar was not found (gaps stay gaps: nothing is interpolated across them).
- `source` per frame says where a position came from: "plate" (the detected plate's centre),
  "wrists" (the lifter's wrists' midpoint, shifted by the clip's median plate-to-wrists offset
  when a plate was seen at all) or "none" (a gap).
- Centimetres and metres per second use `px_per_cm`, from the plate's diameter in pixels and
  its true diameter (`Settings.plate_diameter_mm`, 450 mm for standard plates). Without a plate
  seen in the clip there is no scale, and every cm or m/s figure is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

BarSource = Literal["plate", "wrists", "none"]
SPEED_LABEL = "for training use; not validated against a transducer"


class RepSpan(Protocol):
    """What the bar needs of a rep: `coach.reps.types.Rep` has it (coach.bar sits beside
    coach.reps in the layers, so it does not import it)."""

    @property
    def index(self) -> int: ...
    @property
    def start_frame(self) -> int: ...
    @property
    def end_frame(self) -> int: ...


@dataclass(frozen=True)
class BarPath:
    """The bar's end over a clip.

    Attributes:
        t_s: (T,) frame times in seconds.
        xy_px: (T, 2) smoothed positions, NaN in gaps.
        raw_xy_px: (T, 2) positions before smoothing.
        source: T per-frame sources ("plate", "wrists", "none").
        px_per_cm: image pixels per centimetre at the plate, or None (no plate seen).
        plate_diameter_px: median diameter of the plates kept, NaN when none.
        plate_diameter_mm: the true diameter the scale assumes.
    """

    t_s: NDArray[np.float64]
    xy_px: NDArray[np.float64]
    raw_xy_px: NDArray[np.float64]
    source: tuple[BarSource, ...]
    px_per_cm: float | None
    plate_diameter_px: float
    plate_diameter_mm: float

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if self.xy_px.shape != (n, 2) or self.raw_xy_px.shape != (n, 2) or len(self.source) != n:
            raise ValueError(f"bar path arrays must be ({n}, 2) with {n} sources, got "
                             f"{self.xy_px.shape}, {self.raw_xy_px.shape}, {len(self.source)}")

    @property
    def plate_fraction(self) -> float:
        """Share of frames whose position came from a detected plate."""
        return self.source.count("plate") / len(self.source) if self.source else 0.0


@dataclass(frozen=True)
class BarRep:
    """The bar over one rep (frames `start_frame`..`end_frame` inclusive of the clip).

    Attributes:
        index: 0-based rep number (as `coach.reps.types.Rep.index`).
        start_frame, end_frame: the rep's frames in the clip.
        xy_px: (end_frame - start_frame + 1, 2) smoothed positions over the rep, NaN in gaps.
        source: "plate" when most of the rep's found frames came from the plate, "wrists" when
            most came from the wrists, "none" when the bar was never found.
        plate_fraction: share of the rep's frames positioned from the plate.
        drift_cm: largest horizontal distance from the rep's first found position (cm).
        drift_signed_px: that largest horizontal deviation with its sign (+ = image right).
        range_cm: vertical range of the bar over the rep (cm).
        concentric_start_frame, concentric_end_frame: the lowest bar position and the highest
            one after it (clip frames), or None when the path is too broken to tell.
        mean_velocity_m_s: vertical rise over the concentric divided by its duration (m/s).
        peak_velocity_m_s: the largest upward frame-to-frame speed in the concentric (m/s).
        note: why a figure is missing, or "" when none is.
    """

    index: int
    start_frame: int
    end_frame: int
    xy_px: NDArray[np.float64]
    source: BarSource
    plate_fraction: float
    drift_cm: float | None
    drift_signed_px: float
    range_cm: float | None
    concentric_start_frame: int | None
    concentric_end_frame: int | None
    mean_velocity_m_s: float | None
    peak_velocity_m_s: float | None
    note: str = ""


@dataclass(frozen=True)
class BarAnalysis:
    """The bar's path over a clip and its per-rep figures; `label` goes beside every speed."""

    path: BarPath
    reps: tuple[BarRep, ...]
    timings_ms: dict[str, float]
    label: str = SPEED_LABEL

    @property
    def px_per_cm(self) -> float | None:
        return self.path.px_per_cm
