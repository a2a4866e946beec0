"""Pose backends behind one Protocol. Each backend imports its heavy dependency lazily."""

from __future__ import annotations

from coach.pose.base import BACKEND_NAMES, PoseEstimator, create_estimator

__all__ = ["BACKEND_NAMES", "PoseEstimator", "create_estimator"]
