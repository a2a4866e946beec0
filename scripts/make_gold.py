"""Write gold_annotations/<lift>.json: textbook-good synthetic poses seen from three views.

    .venv/bin/python scripts/make_gold.py [--out gold_annotations]

Deterministic: the same code gives the same files (tests/form/test_gold.py checks the shipped files
still match). Each pose is `coach.synth.lifter.phase_pose(lift, 0.0 or 1.0)` on the default
`coach.synth.lifter.Body()` (1.75 m, Drillis & Contini proportions), projected by a pinhole camera
framed so the lifter fills 70% of a 1920x1080 image. A joint on the far side of the body in a
side view is labelled v=1 (occluded); everything else v=2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from coach.core.angles import compute_angles
from coach.core.keypoints import MIRROR, Keypoints
from coach.form.gold import combine_gold, gold_from_keypoints
from coach.synth.lifter import (
    LIFTS,
    PHASES,
    SOURCES,
    Body,
    Camera,
    camera_depths_m,
    fit_camera,
    phase_pose,
    pose_world,
    project,
)

REPO = Path(__file__).resolve().parent.parent
VIEW_YAW_DEG = {"front": 0.0, "left": 90.0, "right": -90.0}
# Camera height: about chest height for standing lifts; above the bench looking down onto it.
PITCH_DEG = {"squat": 5.0, "deadlift": 5.0, "bench": 20.0}
FOCAL_PX = 2400.0  # a phone's 2x lens on 1080p: the camera ends up 3-5 m away
IMAGE_WH = (1920, 1080)
FILL = 0.7
OCCLUDED_DEPTH_M = 0.10  # farther than its left/right twin by this much = hidden behind the body


def visibility(world: np.ndarray, camera: Camera, view: str) -> np.ndarray:
    """COCO v per joint: 1 for far-side joints in side views, else 2."""
    vis = np.full(len(world), 2)
    if view == "front":
        return vis
    depth = camera_depths_m(world, camera)
    twin = depth[[int(j) for j in MIRROR]]
    vis[depth > twin + OCCLUDED_DEPTH_M] = 1
    return vis


def one_pose(lift: str, view: str, phase: str, body: Body) -> tuple[dict[str, Any], Camera]:
    progress = float(PHASES[lift].index(phase))
    pose = phase_pose(lift, progress)
    world = pose_world(lift, pose, body)
    camera = Camera(yaw_deg=VIEW_YAW_DEG[view], pitch_deg=PITCH_DEG[lift], focal_px=FOCAL_PX,
                    image_wh=IMAGE_WH)  # fmt: skip
    camera = fit_camera(world, camera, fill=FILL)
    kp = project(world, camera)
    true_angles = compute_angles(Keypoints.single(kp.xy[0], world_xyz=world))  # lifter frame
    source = (f"synthetic: scripts/make_gold.py, "
              f"coach.synth.lifter.phase_pose({lift!r}, {progress}) "
              f"on the default Body, camera yaw {camera.yaw_deg:+.0f} deg")  # fmt: skip
    doc = gold_from_keypoints(
        kp, lift=lift, view=view, phase=phase, image_wh=IMAGE_WH, source=source,
        visibility=visibility(world, camera, view), angles_deg=true_angles,
        file_name=f"{lift}_{view}_{phase}.synthetic",
    )  # fmt: skip
    return doc, camera


def rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 3)
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [rounded(v) for v in obj]
    return obj


def make_lift(lift: str) -> dict[str, Any]:
    body = Body()
    docs, cameras = [], {}
    for view in VIEW_YAW_DEG:
        for phase in PHASES[lift]:
            doc, camera = one_pose(lift, view, phase, body)
            docs.append(doc)
            cameras[f"{view}/{phase}"] = dataclasses.asdict(camera)
    poses = {phase: dataclasses.asdict(phase_pose(lift, float(i)))
             for i, phase in enumerate(PHASES[lift])}  # fmt: skip
    info = {
        "description": f"LiftCoach gold poses: {lift}, good form, views front/left/right",
        "version": "1.0",
        "provenance": {
            "method": "synthetic: a kinematic skeleton (coach/synth/lifter.py) posed with textbook "
                      "joint angles and projected with a pinhole camera; no photo, no keypoints "
                      "from any other project",
            "script": "scripts/make_gold.py (run it to regenerate; output is deterministic)",
            "body": rounded(dataclasses.asdict(body)),
            "body_source": "Drillis & Contini (1966) segment fractions of height, as given in "
                           "Winter, Biomechanics and Motor Control of Human Movement",
            "phase_angles": rounded(poses),
            "angle_sources": list(SOURCES[lift]),
            "cameras": rounded(cameras),
            "visibility": "v=1 for a far-side joint in a side view (deeper than its left/right "
                          f"twin by > {OCCLUDED_DEPTH_M} m), else v=2",
            "angles_deg": "true 3D joint angles of the synthetic skeleton (coach.core.angles "
                          "definitions; trunk lean against gravity)",
            "angles_2d_deg": "the same angles measured in this view's image pixels",
        },
    }  # fmt: skip
    return combine_gold(docs, info=info)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "gold_annotations")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lift in LIFTS:
        path = args.out / f"{lift}.json"
        path.write_text(json.dumps(make_lift(lift), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
