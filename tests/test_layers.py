"""The layer contracts hold, and an upward import breaks them (so they can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def _copy_tree(dest: Path) -> Path:
    for name in ("coach", "ui", "pages"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_layers_are_kept() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("coach/core/angles.py", "from coach.pipeline import photo",
         "coach.core is not allowed to import coach.pipeline"),
        ("coach/pipeline/clip.py", "from coach.synth import lifter",
         "coach.pipeline is not allowed to import coach.synth"),
        ("coach/form/vote.py", "import streamlit",
         "coach is not allowed to import streamlit"),
    ],
    ids=["upward", "runtime-imports-synth", "library-imports-streamlit"],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str,
                                              broken: str) -> None:  # fmt: skip
    root = _copy_tree(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n{line}  # forbidden\n")
    result = _lint(root)
    assert result.returncode != 0
    assert broken in result.stdout
