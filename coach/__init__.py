"""LiftCoach: weightlifting form checks from a camera. A pure library: never imports streamlit."""

from __future__ import annotations

__version__ = "0.1.0"
