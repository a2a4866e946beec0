"""Settings: a frozen dataclass loaded from environment variables and an optional TOML file.

Every key, its unit and when to change it (the README's Configuration table mirrors this):

| key | env var | default | meaning |
|---|---|---|---|
| backend | LIFTCOACH_BACKEND | auto | pose backend: auto, mediapipe, vitpose, replay |
| vitpose_model | LIFTCOACH_VITPOSE | usyd-community/vitpose-base-simple | ViTPose hub id or local dir |
| detector_model | LIFTCOACH_DETECTOR | PekingU/rtdetr_r50vd_coco_o365 | RT-DETR hub id or local dir |
| device | LIFTCOACH_DEVICE | auto | torch device for ViTPose: auto, cpu, cuda, cuda:N |
| min_keypoint_score | LIFTCOACH_MIN_SCORE | 0.3 | joints below this confidence count as missing |
| max_image_pixels | LIFTCOACH_MAX_PIXELS | 50000000 | photos larger than this are refused (decompression bombs) |
| inference_max_side_px | LIFTCOACH_INFER_SIDE | 1920 | larger photos are downscaled to this longest side for the model |
| data_dir | LIFTCOACH_DATA | ./data | the SQLite session file and coach gold overrides (gold/) |
| database_url | DATABASE_URL | (sqlite under data_dir) | SQLAlchemy URL, e.g. postgresql+psycopg://... |
| ice_servers | LIFTCOACH_ICE_SERVERS | [] | JSON list of WebRTC ICE servers (STUN/TURN) |
| replay_file | LIFTCOACH_REPLAY | (none) | keypoints JSON played by the replay backend |
| pose_server | LIFTCOACH_POSE_SERVER | (none) | URL of a shared pose service (Ray Serve), e.g. http://pose:8000; unset = models run in this process |
| plate_diameter_mm | LIFTCOACH_PLATE_MM | 450 | the bar's plates' diameter, the scale for bar speeds (450 = standard competition and bumper plates; set yours for smaller plates), 100 to 600 |
| single_user | LIFTCOACH_SINGLE_USER | 0 | 1: no sign-in, for one lifter at home; the app then serves localhost only |
| max_concurrent_analyses | LIFTCOACH_MAX_ANALYSES | 2 | analyses one account may run at once (photo batches, clips) |
| max_photos_per_batch | LIFTCOACH_MAX_PHOTOS | 20 | photos one Analyse press may take |
| analysis_workers | LIFTCOACH_ANALYSIS_WORKERS | 2 | clip analyses one app process runs at once, all accounts together (each takes about one CPU core); more wait in a queue |

Numbers must be finite and in range (pixels and counts at least 1, scores in [0, 1]); a bad
value is refused with the name of the environment variable or key that holds it.

A TOML file named by LIFTCOACH_CONFIG may set the same keys (top-level). Unknown keys are refused.
Environment variables win over the file.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from coach.core.errors import SettingsError

ENV_VARS: dict[str, str] = {
    "backend": "LIFTCOACH_BACKEND",
    "vitpose_model": "LIFTCOACH_VITPOSE",
    "detector_model": "LIFTCOACH_DETECTOR",
    "device": "LIFTCOACH_DEVICE",
    "min_keypoint_score": "LIFTCOACH_MIN_SCORE",
    "max_image_pixels": "LIFTCOACH_MAX_PIXELS",
    "inference_max_side_px": "LIFTCOACH_INFER_SIDE",
    "data_dir": "LIFTCOACH_DATA",
    "database_url": "DATABASE_URL",
    "ice_servers": "LIFTCOACH_ICE_SERVERS",
    "replay_file": "LIFTCOACH_REPLAY",
    "pose_server": "LIFTCOACH_POSE_SERVER",
    "plate_diameter_mm": "LIFTCOACH_PLATE_MM",
    "single_user": "LIFTCOACH_SINGLE_USER",
    "max_concurrent_analyses": "LIFTCOACH_MAX_ANALYSES",
    "max_photos_per_batch": "LIFTCOACH_MAX_PHOTOS",
    "analysis_workers": "LIFTCOACH_ANALYSIS_WORKERS",
}
# (low, high) inclusive bounds of numeric settings; everything numeric must also be finite.
RANGES: dict[str, tuple[float, float]] = {
    "min_keypoint_score": (0.0, 1.0),
    "max_image_pixels": (1, 1_000_000_000),
    "inference_max_side_px": (32, 16_384),
    "max_concurrent_analyses": (1, 64),
    "max_photos_per_batch": (1, 500),
    "analysis_workers": (1, 64),
}
# Plates outside this range are not barbell plates (the smallest technique plates are ~150 mm
# across; 450 mm is the largest standard), so a value outside is a typo, e.g. cm for mm.
PLATE_DIAMETER_RANGE_MM = (100.0, 600.0)


@dataclass(frozen=True)
class Settings:
    """All tunables in one place; see the module docstring for each key."""

    backend: str = "auto"
    vitpose_model: str = "usyd-community/vitpose-base-simple"
    detector_model: str = "PekingU/rtdetr_r50vd_coco_o365"
    device: str = "auto"
    min_keypoint_score: float = 0.3
    max_image_pixels: int = 50_000_000
    # The models resize internally (MediaPipe to 256 px, RT-DETR to 640; ViTPose crops), so
    # full-HD frames go in untouched and only bigger photos pay for a resize.
    inference_max_side_px: int = 1920
    data_dir: str = "./data"
    database_url: str = ""
    ice_servers: tuple[dict[str, Any], ...] = ()
    replay_file: str = ""
    # The Serve HTTP URL, not a Ray address: app hosts then need no Ray at all, and no Ray or
    # Python version has to match the cluster's (Ray Client requires both).
    pose_server: str = ""
    # Standard competition and bumper plates are 450 mm across (IWF/IPF rules).
    plate_diameter_mm: float = 450.0
    single_user: bool = False
    max_concurrent_analyses: int = 2
    max_photos_per_batch: int = 20
    # MediaPipe keeps one core busy per clip; the project's machines have 2.
    analysis_workers: int = 2

    def __post_init__(self) -> None:
        low, high = PLATE_DIAMETER_RANGE_MM
        if not low <= self.plate_diameter_mm <= high:
            raise SettingsError(
                f"plate_diameter_mm must be between {low:.0f} and {high:.0f} mm (standard plates "
                f"are 450 mm), got {self.plate_diameter_mm}"
            )

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL when set, else a SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'liftcoach.sqlite3'}"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some keys replaced (values are coerced and checked like env values)."""
        return replace(self, **_coerce_all({k: v for k, v in changes.items() if v is not None}))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from LIFTCOACH_CONFIG (TOML) then the environment.

    Raises:
        SettingsError: an unknown key, a value of the wrong type, or an unreadable file.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_path = env.get("LIFTCOACH_CONFIG", "")
    if config_path:
        values.update(_read_toml(Path(config_path)))
    where = {key: f"setting {key!r} (in {config_path})" for key in values}
    for key, var in ENV_VARS.items():
        if env.get(var, "") != "":
            values[key] = env[var]
            where[key] = f"{var} (setting {key!r})"
    return Settings(**_coerce_all(values, where))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from None
    return data


def _coerce_all(
    values: Mapping[str, Any], where: Mapping[str, str] | None = None
) -> dict[str, Any]:
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SettingsError(f"unknown setting(s) {unknown}; valid keys are {sorted(known)}")
    named = where or {}
    return {
        key: _in_range(key, _coerce(key, value, named.get(key)), named.get(key))
        for key, value in values.items()
    }


def _in_range(key: str, value: Any, where: str | None) -> Any:
    """Refuse NaN, infinities and out-of-range numbers, blaming the variable that held them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    low, high = RANGES.get(key, (-math.inf, math.inf))
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingsError(
            f"{where or f'setting {key!r}'} must be a finite number from {low:g} to {high:g}, "
            f"got {value!r}"
        )
    return value


def _coerce(key: str, value: Any, where: str | None = None) -> Any:
    default = getattr(Settings(), key)
    try:
        if key == "ice_servers":
            servers = json.loads(value) if isinstance(value, str) else value
            if not isinstance(servers, list) or not all(isinstance(s, dict) for s in servers):
                raise ValueError("expected a JSON list of objects like {\"urls\": [...]}")
            return tuple(servers)
        if key == "pose_server":
            return _pose_server_url(str(value))
        if isinstance(default, bool):
            word = str(value).strip().lower()
            if word not in {"1", "true", "yes", "0", "false", "no"}:
                raise ValueError("expected 1 or 0 (true or false)")
            return word in {"1", "true", "yes"}
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        blamed = where or f"setting {key!r}"
        raise SettingsError(f"{blamed} has a bad value {str(value)[:40]!r}: {exc}") from None



def _pose_server_url(value: str) -> str:
    """An http(s) URL with a host, without a trailing slash; '' stays '' (in-process)."""
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            "expected the pose service's HTTP URL, e.g. http://pose-host:8000 "
            "(a ray:// address is not used: app hosts talk to Ray Serve over HTTP)"
        )
    _ = parts.port  # raises ValueError for a port that is not a number in 0-65535
    if parts.query or parts.fragment:
        raise ValueError("the URL must not carry a query or fragment")
    return url
