"""Settings come from env vars and TOML, refuse unknown keys and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.errors import SettingsError
from coach.core.settings import Settings, load_settings


def test_defaults_without_environment() -> None:
    s = load_settings({})
    assert s == Settings()
    assert s.resolved_database_url.startswith("sqlite:///") and s.ice_servers == ()


def test_environment_values_are_coerced() -> None:
    s = load_settings({
        "LIFTCOACH_BACKEND": "mediapipe", "LIFTCOACH_MIN_SCORE": "0.5",
        "LIFTCOACH_MAX_PIXELS": "1000", "DATABASE_URL": "postgresql+psycopg://x/y",
        "LIFTCOACH_ICE_SERVERS": '[{"urls": ["turn:example.org"], "username": "u"}]',
    })
    assert s.backend == "mediapipe" and s.min_keypoint_score == 0.5 and s.max_image_pixels == 1000
    assert s.resolved_database_url == "postgresql+psycopg://x/y"
    assert s.ice_servers[0]["urls"] == ["turn:example.org"]


def test_toml_file_with_env_override(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('backend = "replay"\ninference_max_side_px = 640\n')
    s = load_settings({"LIFTCOACH_CONFIG": str(cfg), "LIFTCOACH_BACKEND": "mediapipe"})
    assert s.backend == "mediapipe" and s.inference_max_side_px == 640


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"LIFTCOACH_MIN_SCORE": "high"}, "min_keypoint_score"),
        ({"LIFTCOACH_ICE_SERVERS": '{"urls": 1}'}, "ice_servers"),
    ],
    ids=["not-a-number", "ice-not-a-list"],
)
def test_bad_values_are_refused(env, match) -> None:
    with pytest.raises(SettingsError, match=match):
        load_settings(env)


def test_unknown_toml_key_is_refused(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('backnd = "mediapipe"\n')
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings({"LIFTCOACH_CONFIG": str(cfg)})


def test_unreadable_toml_is_refused(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("this is = = not toml")
    with pytest.raises(SettingsError, match="cannot read settings"):
        load_settings({"LIFTCOACH_CONFIG": str(cfg)})


def test_with_overrides_checks_keys() -> None:
    assert Settings().with_overrides(backend="vitpose").backend == "vitpose"
    with pytest.raises(SettingsError):
        Settings().with_overrides(nonsense=1)


def test_plate_diameter_defaults_to_standard_plates_and_is_checked() -> None:
    assert Settings().plate_diameter_mm == 450.0
    assert load_settings({"LIFTCOACH_PLATE_MM": "350"}).plate_diameter_mm == 350.0
    for bad in ("45", "2000", "nan"):  # cm for mm, a typo, not a number
        with pytest.raises(SettingsError, match="plate_diameter_mm"):
            load_settings({"LIFTCOACH_PLATE_MM": bad})
    with pytest.raises(SettingsError, match="plate_diameter_mm"):
        Settings().with_overrides(plate_diameter_mm="big")


@pytest.mark.parametrize(
    ("var", "value"),
    [("LIFTCOACH_MAX_PIXELS", "-1"), ("LIFTCOACH_MAX_PIXELS", "0"), ("LIFTCOACH_MIN_SCORE", "nan"),
     ("LIFTCOACH_MIN_SCORE", "1.5"), ("LIFTCOACH_INFER_SIDE", "inf"),
     ("LIFTCOACH_MAX_PHOTOS", "0"), ("LIFTCOACH_SINGLE_USER", "maybe")],
)  # fmt: skip
def test_bad_numbers_are_blamed_on_their_variable(var: str, value: str) -> None:
    with pytest.raises(SettingsError, match=var):
        load_settings({var: value})


def test_a_bad_toml_value_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "liftcoach.toml"
    config.write_text("max_image_pixels = -5\n")
    with pytest.raises(SettingsError, match=r"'max_image_pixels' \(in .*liftcoach.toml\)"):
        load_settings({"LIFTCOACH_CONFIG": str(config)})


def test_single_user_mode_is_off_unless_asked() -> None:
    assert load_settings({}).single_user is False
    assert load_settings({"LIFTCOACH_SINGLE_USER": "1"}).single_user is True
