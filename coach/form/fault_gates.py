"""When a fault of the catalogue is not judged: the reasons a rep's keypoints cannot show it.

Each gate turns a fault into "can't judge" with a note saying why, instead of a verdict read
from points the pose model guessed (docs/fault-limits.md, "Hidden joints" and what follows):
- the model lost the legs (`legs_lost`: a knee folded further than a knee bends);
- the model lost the lifter (`trunk_lost`: shoulders under the hips in a squat or deadlift);
- the clip ended before the lockout was held (`LOCKOUT_CUT`, set by `fault_check.rep_frames`);
- the pose model's feet are not precise enough for a 2 cm limit (`feet_trusted_for`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from coach.core.keypoints import Keypoints
from coach.form.fault_measures import RepFrames, near_side, trunk_lean
from coach.form.faults import Fault

# Knees folded further than a knee bends mean the pose model lost the leg (on real deadlift
# clips, where the plates hide the knees at liftoff): the rep's hip and knee points are
# guesses, not measurements. How far a knee bends, as its inside angle, less twice the 5.6 deg
# error of a 2D sagittal knee angle (Stenum et al. 2021):
# - deadlift and bench: healthy adults' passive knee flexion reaches 140-143 deg at most
#   (Soucie et al. 2011, Haemophilia 17:500, goniometry of 674 people): 37 deg, so 25;
# - squat: a full deep squat takes the knee past 155 deg of flexion (thigh on calf; deep-squat
#   knee kinematics, ASME SBC 2007 proceedings 47985/637): 25 deg, so 14.
# Only side and oblique views: from the front a bent thigh points at the camera and its 2D
# angle is no joint angle.
FOLDED_KNEE_DEG: Mapping[str, float] = {"squat": 14.0, "deadlift": 25.0, "bench": 25.0}
LEGS_LOST = ("can't judge: the pose model bent a knee further than a knee bends in this rep "
             "(it lost the legs, often behind the plates), so its hips and knees are guesses")


def legs_lost(kp: Keypoints, traces: Mapping[str, NDArray[np.float64]], frames: RepFrames,
              lift: str) -> bool:  # fmt: skip
    """Whether the surer knee's 2D angle folds under the lift's `FOLDED_KNEE_DEG` anywhere in
    the rep."""
    knee = near_side(kp, traces, "knee")[frames.start:frames.lockout_end + 1]
    return bool(np.any(knee[np.isfinite(knee)] < FOLDED_KNEE_DEG.get(lift, 25.0)))


def reads_legs(fault: Fault) -> bool:
    return any(j.endswith(("_hip", "_knee")) for j in fault.joints)


# In a squat and a deadlift the hips stay below the shoulders at every moment: the deadlift
# starts with the hips above the knees and below the shoulders (Rippetoe & Kilgore, Starting
# Strength), and a squat's trunk leans well short of horizontal at the bottom. A trunk past
# horizontal by more than twice the 5.6 deg error of a 2D sagittal angle (Stenum et al. 2021),
# shoulders under the hips, is a pose model that lost the lifter (on a real clip, a handheld
# camera and people behind a glass wall), or an exercise outside the catalogue (a stiff-legged
# deadlift can take the shoulders that low), not a lift to judge against it. A bench lifter
# lies down: not checked. The fixture deadlifts and RDLs lean 68-75 deg at most.
UPSIDE_DOWN_TRUNK_DEG = 90.0 + 2 * 5.6
TRUNK_LOST = ("can't judge: the shoulders went under the hips in this rep, which no squat or "
              "conventional deadlift does: the pose model lost the lifter (or this is another "
              "exercise, such as a stiff-legged deadlift), so the shoulders and hips are not "
              "judged")


def trunk_lost(kp: Keypoints, frames: RepFrames, lift: str) -> bool:
    """Whether the trunk leans past `UPSIDE_DOWN_TRUNK_DEG` either way anywhere in a squat's or
    deadlift's rep."""
    if lift not in ("squat", "deadlift"):
        return False
    lean = np.abs(trunk_lean(kp, 1)[frames.start:frames.lockout_end + 1])
    return bool(np.any(lean[np.isfinite(lean)] > UPSIDE_DOWN_TRUNK_DEG))


def reads_trunk(fault: Fault) -> bool:
    return any(j.endswith(("_shoulder", "_hip")) for j in fault.joints)


# The IPF judges a lockout held motionless; a clip that stops within
# `fault_check.LOCKOUT_WINDOW_S` of the rep's end never showed that, so its lockout faults are
# not judged from the last frames.
LOCKOUT_CUT = ("can't judge: the clip ends before the lockout was held (film until the lifter "
               "stands still at the top)")


# A foot fault needs foot points measured to about 2 cm (faults.py, `needs_precise_feet`).
# - mediapipe: its heel and foot-index landmarks come with no published accuracy, and on real
#   deadlift clips they wandered by more than these 2 cm limits on feet that stayed flat
#   (README, Accuracy): a verdict from them would be a guess dressed as a measurement.
# - vitpose: a COCO head has no feet at all; a COCO-WholeBody head has them, but no figure
#   shows them precise to 2 cm. What is published is OKS-based AP, and even its strictest
#   threshold (OKS 0.95) passes a heel about 3 cm off on an adult (heel sigma 0.066 in
#   COCO-WholeBody's evaluation/myeval_wholebody.py; an adult's COCO area of about 0.5 m2,
#   scale 0.7 m). Whole-body models reach foot AP 0.567 (HRNet-w32 256x192, mmpose model zoo)
#   to 0.744 (TCFormer-large, its authors' README) on COCO-WholeBody v1.0 val, and ViTPose+
#   publishes whole-body AP only (54.4 S to 61.2 H, ViTPose README). Untrusted until its feet
#   are measured on the real deadlift clips as MediaPipe's were.
# A backend run on the pose service is named "<backend> (pose service)": the same model.
UNTRUSTED_FEET = ("can't judge with this pose model: its foot points are not shown to be "
                  "precise enough for a 2 cm limit")
FEET_UNTRUSTED_BACKENDS = frozenset({"mediapipe", "vitpose"})
_SERVICE_SUFFIX = " (pose service)"


def feet_trusted_for(backend: str) -> bool:
    """Whether a backend's foot points are precise enough for the foot faults (the same answer
    in process and on the pose service)."""
    return backend.removesuffix(_SERVICE_SUFFIX) not in FEET_UNTRUSTED_BACKENDS
