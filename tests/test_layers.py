"""The layer contracts hold, and an upward import breaks them (so they can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    angles = root / "coach" / "core" / "angles.py"
    angles.write_text(angles.read_text() + "\nfrom coach.pipeline import photo  # upward\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "coach.core is not allowed to import coach.pipeline" in result.stdout


def test_runtime_code_importing_synth_breaks_a_contract(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    clip = root / "coach" / "pipeline" / "clip.py"
    clip.write_text(clip.read_text() + "\nfrom coach.synth import lifter  # runtime -> synth\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "coach.pipeline is not allowed to import coach.synth" in result.stdout
