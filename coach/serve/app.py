"""The pose service's ingress and the application builder that `serve run` imports.

HTTP API (what `coach.pose.remote` calls; wire format in `coach.pose.wire`):
- `POST /pose/{backend}` with a JPEG body (`backend`: mediapipe, vitpose or auto) -> 200 with
  the persons found; 400 for a picture that cannot be read; 404 for a backend this deployment
  does not serve; 503 when a model replica failed or is restarting (Serve's own back-pressure
  503 comes from the proxy in the same shape for the client).
- `GET /backends` -> {"backends": [...], "default": name}.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from ray import serve
from ray.serve.handle import DeploymentHandle
from starlette.requests import Request
from starlette.responses import JSONResponse

from coach.core.errors import BackendUnavailable, BadInput, LiftCoachError, NoPersonFound
from coach.core.keypoints import PersonPose
from coach.core.settings import Settings
from coach.pose.wire import decode_jpeg, error_to_json, persons_to_json
from coach.serve.deployments import KeypointModel, MediaPipePose, PersonDetector

log = logging.getLogger(__name__)

SERVED = ("mediapipe", "vitpose")
Handle = DeploymentHandle[Any]


@dataclass(frozen=True)
class PoseAppArgs:
    """The `args:` block of a Serve config (unknown keys are refused, like Settings).

    Attributes:
        backends: which backends to deploy; the first is what "auto" means.
        vitpose_model, detector_model: hub ids or local folders, as LIFTCOACH_VITPOSE/DETECTOR.
        device: torch device inside the ViTPose replicas (cuda on GPU replicas).
        max_pixels: pictures larger than this are refused before decoding.
    """

    backends: tuple[str, ...] = ("mediapipe",)
    vitpose_model: str = Settings.vitpose_model
    detector_model: str = Settings.detector_model
    device: str = "auto"
    max_pixels: int = Settings.max_image_pixels

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> PoseAppArgs:
        raw = dict(raw or {})
        known = {"backends", "vitpose_model", "detector_model", "device", "max_pixels"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown pose app args {unknown}; valid: {sorted(known)}")
        backends = tuple(str(b) for b in raw.pop("backends", cls.backends))
        bad = [b for b in backends if b not in SERVED] or ([] if backends else ["(none)"])
        if bad:
            raise ValueError(f"backends {bad} cannot be served; choose from {list(SERVED)}")
        default = cls()
        return cls(
            backends=backends,
            vitpose_model=str(raw.get("vitpose_model", default.vitpose_model)),
            detector_model=str(raw.get("detector_model", default.detector_model)),
            device=str(raw.get("device", default.device)),
            max_pixels=int(raw.get("max_pixels", default.max_pixels)),
        )


@serve.deployment(name="PoseIngress", ray_actor_options={"num_cpus": 0.25},
                  max_ongoing_requests=32, max_queued_requests=64,
                  health_check_period_s=2.0)  # fmt: skip
class PoseIngress:
    """Routes a JPEG to a backend's deployments and answers with PersonPose JSON."""

    def __init__(
        self, args: PoseAppArgs, mediapipe: Handle | None = None,
        detector: Handle | None = None, keypoints: Handle | None = None,
    ) -> None:  # fmt: skip
        self._args = args
        self._mediapipe, self._detector, self._keypoints = mediapipe, detector, keypoints
        self._crops: Any = None
        if "vitpose" in args.backends:
            from coach.serve.vitpose_parts import CropPart

            self._crops = CropPart(args.vitpose_model)

    async def __call__(self, request: Request) -> JSONResponse:
        parts = [p for p in request.url.path.split("/") if p]
        if request.method == "GET" and parts == ["backends"]:
            return JSONResponse({"backends": list(self._args.backends),
                                 "default": self._args.backends[0]})  # fmt: skip
        if request.method != "POST" or len(parts) != 2 or parts[0] != "pose":
            return _error(404, "use POST /pose/{backend} with a JPEG body", "NotFound")
        backend = self._args.backends[0] if parts[1] == "auto" else parts[1]
        if backend not in self._args.backends:
            return _error(404, f"this pose service runs {list(self._args.backends)}, "
                          f"not {parts[1]!r}", "NotServed")  # fmt: skip
        body = await request.body()
        try:
            # ?frame=1: a frame of a stream (RemoteEstimator(video=True)), not a photo.
            persons = await self._estimate(backend, body,
                                           request.query_params.get("frame") == "1")
        except BadInput as exc:
            return _error(400, str(exc), "BadImage")
        except NoPersonFound:
            persons = []
        except LiftCoachError as exc:
            return _error(503, str(exc), type(exc).__name__)
        return JSONResponse(persons_to_json(persons, backend))

    async def _estimate(self, backend: str, jpeg: bytes, frame: bool) -> list[PersonPose]:
        try:
            if backend == "mediapipe":
                assert self._mediapipe is not None
                result: list[PersonPose] = await self._mediapipe.estimate.remote(jpeg, frame)
                return result
            return await self._vitpose(jpeg)
        except LiftCoachError:
            raise
        except Exception as exc:  # a replica died, timed out or is restarting
            cause = getattr(exc, "cause", None)
            if isinstance(cause, LiftCoachError):
                raise cause from None
            log.warning("pose replica failed: %r", exc)
            raise BackendUnavailable(
                f"a {backend} pose replica failed ({type(exc).__name__}); the service is "
                "replacing it, try again in a moment"
            ) from None

    async def _vitpose(self, jpeg: bytes) -> list[PersonPose]:
        assert self._detector is not None and self._keypoints is not None
        image = decode_jpeg(jpeg, self._args.max_pixels)  # validates before any model runs
        detections = await self._detector.detect.remote(jpeg)
        if not detections:
            return []
        boxes, scores = [box for box, _ in detections], [s for _, s in detections]
        crops = self._crops.crops(image, boxes)
        # One call per crop: the keypoint deployment batches crops from every caller.
        heatmaps = await asyncio.gather(*(self._keypoints.heatmaps.remote(c) for c in crops))
        import numpy as np

        decoded: list[PersonPose] = self._crops.decode(np.stack(heatmaps), boxes, scores)
        return decoded


def _error(status: int, message: str, kind: str) -> JSONResponse:
    return JSONResponse(error_to_json(message, kind), status_code=status)


def build_app(raw_args: dict[str, Any] | None = None) -> serve.Application:
    """The pose application, for `serve run deploy/ray/pose-cpu.yaml` (its `args:` block).

    Raises:
        ValueError: unknown args or a backend that cannot be served.
    """
    args = PoseAppArgs.parse(raw_args)
    # `serve.deployment` keeps the class's static type; `.bind` exists only at run time.
    deployments: dict[str, Any] = {"mediapipe": MediaPipePose, "detector": PersonDetector,
                                   "keypoints": KeypointModel, "ingress": PoseIngress}  # fmt: skip
    mediapipe = detector = keypoints = None
    if "mediapipe" in args.backends:
        mediapipe = deployments["mediapipe"].bind(args.max_pixels)
    if "vitpose" in args.backends:
        detector = deployments["detector"].bind(args.detector_model, args.device,
                                                args.max_pixels)  # fmt: skip
        keypoints = deployments["keypoints"].bind(args.vitpose_model, args.device)
    app: serve.Application = deployments["ingress"].bind(args, mediapipe, detector, keypoints)
    return app
