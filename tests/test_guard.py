"""Architecture guards: coach/ never imports streamlit, and nothing heavy happens at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

COACH = Path(__file__).resolve().parent.parent / "coach"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_coach_never_imports_streamlit() -> None:
    offenders = [
        str(p.relative_to(COACH)) for p in COACH.rglob("*.py")
        if {"streamlit", "streamlit_webrtc"} & _imported_modules(p)
    ]
    assert offenders == [], f"coach/ must stay free of streamlit: {offenders}"


def test_guard_detects_an_import(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from streamlit import session_state\n")
    assert "streamlit" in _imported_modules(bad)


def test_importing_coach_loads_no_heavy_library() -> None:
    code = (
        "import sys, coach.pipeline.photo, coach.cli, coach.pose, coach.core.keypoints;"
        "heavy = {'torch', 'transformers', 'mediapipe', 'streamlit'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
