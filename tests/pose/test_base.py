"""coach/pose/base.py: the backend factory, `auto`'s choice, and its errors."""

from __future__ import annotations

import logging

import pytest

from coach.core.errors import BackendUnavailable, SettingsError
from coach.core.settings import Settings
from coach.pose import base
from coach.pose.base import BACKEND_NAMES, create_estimator


class _Fake:
    def __init__(self, name: str) -> None:
        self.name = name

    def estimate(self, image_bgr):  # pragma: no cover - never called here
        return []


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr(base, "_mediapipe", lambda settings, video, live=False: _Fake("mediapipe"))
    monkeypatch.setattr(base, "_vitpose", lambda settings, video: _Fake("vitpose"))


def test_unknown_backend_lists_the_valid_ones() -> None:
    with pytest.raises(SettingsError, match="auto, mediapipe, vitpose, replay"):
        create_estimator("openpose", Settings())
    assert BACKEND_NAMES == ("auto", "mediapipe", "vitpose", "replay")


def test_auto_without_a_gpu_is_mediapipe(monkeypatch, fakes) -> None:
    monkeypatch.setattr(base, "_cuda_available", lambda: False)
    assert create_estimator("auto", Settings()).name == "mediapipe"


def test_auto_with_a_gpu_and_weights_is_vitpose(monkeypatch, fakes) -> None:
    monkeypatch.setattr(base, "_cuda_available", lambda: True)
    assert create_estimator("auto", Settings()).name == "vitpose"


def test_auto_falls_back_when_vitpose_weights_are_missing(monkeypatch, fakes, caplog) -> None:
    def missing(settings, video):
        raise BackendUnavailable("ViTPose weights not found")

    monkeypatch.setattr(base, "_cuda_available", lambda: True)
    monkeypatch.setattr(base, "_vitpose", missing)
    with caplog.at_level(logging.WARNING, logger="coach.pose.base"):
        assert create_estimator("auto", Settings()).name == "mediapipe"
    assert "ViTPose unavailable" in caplog.text


def test_replay_needs_a_file() -> None:
    with pytest.raises(SettingsError, match="LIFTCOACH_REPLAY"):
        create_estimator("replay", Settings())


def test_cuda_probe_answers_on_this_machine() -> None:
    assert isinstance(base._cuda_available(), bool)


@pytest.mark.parametrize(("kind", "video", "every"), [
    ({}, False, 5), ({"video": True}, True, 5), ({"live": True}, True, 10),
])
def test_a_live_stream_looks_for_the_others_over_the_same_time_as_a_clip(kind, video, every
                                                                          ) -> None:  # fmt: skip
    """A clip is analysed at 15 fps and looks every 5 frames; a stream at up to 30 fps, so
    every 10 frames is the same third of a second."""
    with create_estimator("mediapipe", Settings(), **kind) as est:
        assert (est.video, est.others_every) == (video, every)
