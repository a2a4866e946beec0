"""Which lift is this? Squat, bench or deadlift from one frame's 2D keypoints (or a clip's).

Model (after GyML, DESIGN.md source 2): view-robust 2D features (`coach.lift.features`)
-> impute missing features with the training mean -> standardise -> PCA keeping 95% of the
variance (41 of the 76 features' dimensions in the shipped model) -> multinomial logistic
regression. It is trained only on the project's own synthetic
skeletons (`scripts/train_classifier.py`) and stored as a small JSON file; inference here is
numpy only, so the app never imports scikit-learn.

A prediction whose top probability is below `UNSURE_BELOW` is reported as "unsure", and so is a
frame with fewer than `MIN_JOINTS_PRESENT` body joints: the caller should then ask the lifter
to name the lift (`given_lift`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from coach.core.errors import BackendUnavailable, BadInput
from coach.core.keypoints import Keypoints
from coach.core.lifts import LIFTS
from coach.lift.features import BODY_JOINTS, feature_names, features

log = logging.getLogger(__name__)

LIFT_NAMES = LIFTS  # the classifier's classes are exactly the lifts
UNSURE = "unsure"
# Top probability below this -> "unsure". With 3 classes 1/3 is chance; 0.55 asks for a clear
# majority of the probability mass before we name a lift (and run lift-specific checks).
UNSURE_BELOW = 0.55
# With fewer body joints (of the 13 in BODY_JOINTS) the geometry is mostly imputed, not seen.
MIN_JOINTS_PRESENT = 5
MODEL_FORMAT = "liftcoach-lift-classifier/1"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "lift_classifier.json"


@dataclass(frozen=True)
class LiftPrediction:
    """The lift, its class probabilities, and where the answer came from.

    `label` is one of LIFT_NAMES or "unsure"; `probabilities` maps every lift in LIFT_NAMES to a
    probability (they sum to 1); `confidence` is the top probability (0 when nothing could be
    judged); `source` is "classified" or "given" (the user named the lift).
    """

    label: str
    probabilities: dict[str, float]
    confidence: float
    source: str


@dataclass(frozen=True, eq=False)
class LiftModel:
    """Fitted parameters; see `scripts/train_classifier.py` for how each is made.

    Shapes: F features, K PCA components, C classes.
    """

    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    impute_mean: NDArray[np.float64]  # (F,) raw-feature means used for missing values
    scaler_mean: NDArray[np.float64]  # (F,)
    scaler_scale: NDArray[np.float64]  # (F,)
    pca_mean: NDArray[np.float64]  # (F,) in standardised units
    pca_components: NDArray[np.float64]  # (K, F)
    coef: NDArray[np.float64]  # (C, K)
    intercept: NDArray[np.float64]  # (C,)
    provenance: dict[str, Any]

    def predict_proba(self, feats: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
        """(N, F) features, NaN allowed -> (N, C) class probabilities (rows sum to 1)."""
        x = np.asarray(feats, dtype=np.float64)
        x = np.where(np.isfinite(x), x, self.impute_mean)
        z = (x - self.scaler_mean) / self.scaler_scale
        logits = ((z - self.pca_mean) @ self.pca_components.T) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)  # stable softmax
        expo = np.exp(logits)
        return np.asarray(expo / expo.sum(axis=1, keepdims=True), dtype=np.float64)


def load_model(path: str | Path | None = None) -> LiftModel:
    """Load the classifier JSON (default: the bundled coach/lift/models/lift_classifier.json).

    Cached per resolved path; the returned model is immutable and safe to share across threads.

    Raises:
        BackendUnavailable: the file is missing, not JSON, or does not follow the schema.
    """
    resolved = Path(path).resolve() if path is not None else DEFAULT_MODEL_PATH
    return _load_model_cached(str(resolved))


@lru_cache(maxsize=4)
def _load_model_cached(path: str) -> LiftModel:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackendUnavailable(
            f"the lift classifier at {path} cannot be read ({exc}); name the lift yourself, "
            "or rebuild the file with scripts/train_classifier.py"
        ) from exc
    try:
        return model_from_dict(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendUnavailable(
            f"the lift classifier at {path} is not a valid model file ({exc}); name the lift "
            "yourself, or rebuild the file with scripts/train_classifier.py"
        ) from exc


def model_from_dict(doc: dict[str, Any]) -> LiftModel:
    """Build and shape-check a LiftModel from the JSON document.

    Raises:
        KeyError, TypeError, ValueError: a field is missing, mistyped or has the wrong shape.
    """
    if doc.get("format") != MODEL_FORMAT:
        raise ValueError(f"format must be {MODEL_FORMAT!r}, got {doc.get('format')!r}")
    names = tuple(str(n) for n in doc["feature_names"])
    if names != feature_names():
        raise ValueError("feature_names differ from this version of coach.lift.features")
    classes = tuple(str(c) for c in doc["classes"])
    if sorted(classes) != sorted(LIFT_NAMES):
        raise ValueError(f"classes must be {LIFT_NAMES}, got {classes}")
    n_feat, n_cls = len(names), len(classes)
    vec = {k: _array(doc, k, (n_feat,)) for k in ("impute_mean", "scaler_mean", "pca_mean")}
    scale = _array(doc, "scaler_scale", (n_feat,))
    if np.any(scale <= 0):
        raise ValueError("scaler_scale must be positive")
    comps = _array(doc, "pca_components", (-1, n_feat))
    return LiftModel(
        classes=classes,
        feature_names=names,
        impute_mean=vec["impute_mean"],
        scaler_mean=vec["scaler_mean"],
        scaler_scale=scale,
        pca_mean=vec["pca_mean"],
        pca_components=comps,
        coef=_array(doc, "coef", (n_cls, comps.shape[0])),
        intercept=_array(doc, "intercept", (n_cls,)),
        provenance=dict(doc.get("provenance", {})),
    )


def _array(doc: dict[str, Any], key: str, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """doc[key] as a finite float64 array of `shape` (-1 = any length)."""
    arr = np.asarray(doc[key], dtype=np.float64)
    if arr.ndim != len(shape) or any(
        s not in (-1, a) for s, a in zip(shape, arr.shape, strict=True)
    ):
        raise ValueError(f"{key} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{key} has non-finite values")
    return arr


def classify_lift(kp: Keypoints, t: int = 0, *, model: LiftModel | None = None) -> LiftPrediction:
    """Classify the lift from frame t of `kp` (thresholded keypoints, NaN = missing).

    Returns "unsure" (confidence = top probability, or 0 when too few joints were found) when
    the top probability is below UNSURE_BELOW or fewer than MIN_JOINTS_PRESENT body joints are
    present.

    Raises:
        BackendUnavailable: the default model file is missing or invalid.
    """
    probs = frame_probabilities(kp.frame(t), model=model)[0]
    return _prediction(probs, model or load_model())


def classify_sequence(kp: Keypoints, *, model: LiftModel | None = None) -> LiftPrediction:
    """Classify a clip: average the class probabilities of every frame that can be judged.

    Frames with fewer than MIN_JOINTS_PRESENT body joints are left out; if none remain the
    answer is "unsure" with confidence 0.
    """
    probs = frame_probabilities(kp, model=model)
    usable = probs[np.isfinite(probs).all(axis=1)]
    mean = usable.mean(axis=0) if len(usable) else np.full(probs.shape[1], np.nan)
    return _prediction(mean, model or load_model())


def frame_probabilities(kp: Keypoints, *, model: LiftModel | None = None) -> NDArray[np.float64]:
    """(T, C) probabilities in `model.classes` order; a row is NaN where too few joints exist."""
    mdl = model or load_model()
    present = np.isfinite(kp.xy[:, list(BODY_JOINTS)]).all(axis=2).sum(axis=1)
    probs = mdl.predict_proba(features(kp.xy))
    probs[present < MIN_JOINTS_PRESENT] = np.nan
    return probs


def _prediction(probs: NDArray[np.float64], model: LiftModel) -> LiftPrediction:
    if not np.all(np.isfinite(probs)):
        uniform = {name: 1.0 / len(LIFT_NAMES) for name in LIFT_NAMES}
        return LiftPrediction(UNSURE, uniform, 0.0, "classified")
    by_name = {name: float(p) for name, p in zip(model.classes, probs, strict=True)}
    ordered = {name: by_name[name] for name in LIFT_NAMES}
    top = max(ordered, key=ordered.__getitem__)
    confidence = ordered[top]
    label = top if confidence >= UNSURE_BELOW else UNSURE
    return LiftPrediction(label, ordered, confidence, "classified")


def given_lift(label: str) -> LiftPrediction:
    """The lift the user named (the --lift override), as a certain prediction.

    Accepts any case and surrounding spaces ("Squat ", "BENCH").

    Raises:
        BadInput: the label is not one of LIFT_NAMES (the message lists them).
    """
    name = label.strip().lower() if isinstance(label, str) else ""
    if name not in LIFT_NAMES:
        raise BadInput(f"unknown lift {label!r}; choose one of {', '.join(LIFT_NAMES)}")
    probs = {lift: 1.0 if lift == name else 0.0 for lift in LIFT_NAMES}
    return LiftPrediction(name, probs, 1.0, "given")
