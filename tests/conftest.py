"""Shared test fixtures: where the real data lives, and a Keypoints factory."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from coach.core.keypoints import Joint, Keypoints
from tests.postgres_server import postgres_url  # noqa: F401 (a fixture for every folder)
from tests.skips import skip_or_fail

REPO = Path(__file__).resolve().parent.parent


def fixtures_dir() -> Path | None:
    """LIFTCOACH_FIXTURES, else ../shared/fixtures beside the checkout; None when absent."""
    env = os.environ.get("LIFTCOACH_FIXTURES")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "fixtures", REPO / "shared" / "fixtures"]
    for path in candidates:
        if (path / "labels.csv").is_file():
            return path
    return None


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The real test data folder; skips (saying why) when it is not there, or fails the run
    when LIFTCOACH_REQUIRE_FIXTURES=1 (CI sets it, so real-data tests can never go quiet)."""
    path = fixtures_dir()
    if path is None:
        why = ("real fixtures not found: set LIFTCOACH_FIXTURES or place shared/fixtures "
               "beside the checkout (../shared/fixtures)")  # fmt: skip
        skip_or_fail(why)
    return path


@pytest.fixture(scope="session")
def labels(fixtures: Path) -> list[dict[str, str]]:
    """Rows of labels.csv (file, lift, view, form, ...)."""
    with (fixtures / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def make_keypoints() -> Callable[..., Keypoints]:
    """Factory: make_keypoints({Joint.LEFT_KNEE: (x, y), ...}, score=1.0) -> Keypoints (T=1)."""

    def _make(points: dict[Joint, tuple[float, float]], score: float = 1.0) -> Keypoints:
        return Keypoints.from_dict(points, score)

    return _make
