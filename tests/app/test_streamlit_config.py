"""The app's Streamlit settings, read through Streamlit's own parser from .streamlit/config.toml
(the file `make run` and the Docker image both serve with)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(REPO)
    config.get_config_options(force_reparse=True)
    yield
    monkeypatch.undo()
    config.get_config_options(force_reparse=True)


@pytest.mark.usefixtures("repo_config")
def test_no_full_garbage_collection_after_each_script_run() -> None:
    # A full collection holds the GIL for 130-250 ms with the models loaded; the Live panel
    # reruns every second, so it froze the frame thread once a second (BENCHMARKS.md, live).
    # A renamed option in a Streamlit upgrade would read as the default (True) and fail here.
    assert config.get_option("runner.postScriptGC") is False


@pytest.mark.usefixtures("repo_config")
def test_hosting_settings_still_apply() -> None:
    assert config.get_option("server.enableXsrfProtection") is True
    assert config.get_option("runner.magicEnabled") is False
