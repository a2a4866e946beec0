"""Command line: `python -m coach analyze PHOTO` and `python -m coach analyze-video CLIP`.

Exit codes (scripts can test them): 0 success; 2 bad input (one `error: ...` line on stderr,
no traceback; also a bad setting, named by its variable); 3 no person found; 4 backend
unavailable; 5 session database error (`--save`).

`--save ATHLETE` stores the session for that athlete as the operator (whoever can run the CLI
can read the database already); the web pages show it only to that athlete (the account with
that username) and their coaches.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.core.errors import BadInput, LiftCoachError
from coach.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from coach.store.store import Store
from coach.pose.base import BACKEND_NAMES

LIFT_CHOICES = ("auto", "squat", "bench", "deadlift")
MAX_FPS = 240.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m coach", description="LiftCoach form checks.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    photo = sub.add_parser("analyze", help="analyse one photo")
    photo.add_argument("photo", type=Path)
    _common_options(photo)
    photo.add_argument("--out", type=Path, help="write the annotated image here (.jpg/.png)")
    photo.add_argument("--click", help="X,Y pixel on the person to analyse (default: the lifter)")
    video = sub.add_parser("analyze-video", help="analyse a clip of a set")
    video.add_argument("clip", type=Path)
    _common_options(video)
    video.add_argument("--click", help="X,Y pixel on the lifter in the first frame "
                       "(default: the largest person near the centre)")
    video.add_argument("--fps", type=float, default=15.0,
                       help="analyse at this frame rate (default 15; 0 = every source frame)")
    return parser


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKEND_NAMES, help="pose backend (default: settings)")
    p.add_argument("--save", metavar="ATHLETE",
                   help="store the analysis as a session of this athlete (exit 5 if the "
                        "database refuses it)")  # fmt: skip
    p.add_argument("--lift", choices=LIFT_CHOICES, default="auto", help="lift, or auto-classify")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        settings = load_settings()
        if args.backend:
            settings = settings.with_overrides(backend=args.backend)
        with _native_stderr_silenced(not args.verbose):
            if args.command == "analyze":
                return _analyze_photo(args, settings)
            return _analyze_video(args, settings)
    except LiftCoachError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


@contextmanager
def _native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while the models run.

    MediaPipe's C++ (TFLite, absl) logs straight to fd 2 and no environment variable of
    0.10.21 silences it; scripts expect stderr to hold only our one `error: ...` line.
    `--verbose` keeps everything. Python's own stderr is restored before we print.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def _parse_click(text: str | None) -> tuple[float, float] | None:
    """--click X,Y: two finite, non-negative pixel coordinates."""
    if text is None:
        return None
    shown = repr(text[:40])
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise BadInput(f"--click must be X,Y in pixels, got {shown}") from None
    if not (math.isfinite(x) and math.isfinite(y)) or x < 0 or y < 0:
        raise BadInput(f"--click must be two finite pixel coordinates of 0 or more, got {shown}")
    return x, y


def _parse_fps(value: float) -> float | None:
    """--fps: 0 means every source frame; otherwise a finite rate up to MAX_FPS."""
    if not math.isfinite(value) or value < 0 or value > MAX_FPS:
        raise BadInput(
            f"--fps must be 0 (every frame) or a rate from above 0 to {MAX_FPS:g} frames per "
            f"second, got {value:g}"
        )
    return value if value > 0 else None


def _analyze_photo(args: argparse.Namespace, settings: Settings) -> int:
    from coach.pipeline.annotate import annotate
    from coach.pipeline.photo import analysis_to_json, analyze_photo, decode_photo
    from coach.pose.base import create_estimator
    from coach.render.overlay import write_image

    if not args.photo.is_file():
        raise BadInput(f"photo not found: {args.photo}")
    click = _parse_click(args.click)
    athlete = _athlete(args.save)
    # Bad photos are refused before any model loads.
    image, decode_ms = decode_photo(args.photo, settings)
    estimator = create_estimator(settings.backend, settings)
    try:
        result, bgr = analyze_photo(image, estimator, settings, click_xy=click, lift=args.lift,
                                    decode_ms=decode_ms)
    finally:
        _close(estimator)
    annotated = annotate(bgr, result)
    if args.out:
        write_image(args.out, annotated)
    doc = analysis_to_json(result)
    if athlete is not None:
        from coach.pipeline.photo_batch import save_photo

        doc["session_id"] = save_photo(_store(settings), athlete, args.photo.name, result,
                                       annotated, lift=args.lift)  # fmt: skip
    _emit(doc, args.json, _photo_summary)
    return 0


def _analyze_video(args: argparse.Namespace, settings: Settings) -> int:
    from coach.pipeline.clip import analyze_video, video_to_json
    from coach.pose.base import create_estimator

    if not args.clip.is_file():
        raise BadInput(f"clip not found: {args.clip}")
    target_fps = _parse_fps(args.fps)
    click = _parse_click(args.click)
    athlete = _athlete(args.save)
    estimator = create_estimator(settings.backend, settings, video=True)
    try:
        result = analyze_video(args.clip, estimator, settings, lift=args.lift,
                               target_fps=target_fps, click_xy=click)
    finally:
        _close(estimator)
    doc = video_to_json(result)
    if athlete is not None:
        from coach.pipeline.clip_session import save_video_session

        doc["session_id"] = save_video_session(_store(settings), athlete, args.clip.name, result)
    _emit(doc, args.json, _video_summary)
    return 0


def _athlete(name: str | None) -> str | None:
    """The --save name, checked before any analysis so a bad one costs nothing."""
    if name is None:
        return None
    from coach.store.checks import check_athlete_name

    return check_athlete_name(name)


def _store(settings: Settings) -> Store:
    """The database as the operator: whoever runs the CLI can read its file already."""
    from coach.auth.viewer import Viewer
    from coach.store.store import Store

    return Store.open(settings.resolved_database_url, viewer=Viewer.operator())


def _close(estimator: object) -> None:
    """Release a backend now, inside the silenced block, so its shutdown logs stay quiet."""
    close = getattr(estimator, "close", None)
    if callable(close):
        close()


def _emit(payload: dict[str, Any], as_json: bool, summary: Any) -> None:
    if as_json:
        print(json.dumps(payload, allow_nan=False))
    else:
        print(summary(payload))


def _photo_summary(doc: dict[str, Any]) -> str:
    found = sum(kp is not None for kp in doc["person"]["keypoints"])
    lines = [f"backend: {doc['backend']}  people found: {doc['persons_found']}  "
             f"joints found: {found}/17  total: {doc['timings_ms']['total']:.0f} ms"]
    if "lift" in doc:
        lift = doc["lift"]
        lines.append(f"lift: {lift['label']} ({lift['source']})  view: {doc['view']['label']}")
        for flag in doc["flagged_joints"]:
            lines.append(f"  FLAG {flag['joint']}: {flag['reason']} "
                         f"(confidence {flag['confidence']:.2f})")
        for note in doc.get("not_judgeable", []):
            lines.append(f"  can't judge: {note}")
        if not doc["flagged_joints"]:
            lines.append("  no faults flagged")
    return "\n".join(lines)


def _video_summary(doc: dict[str, Any]) -> str:
    lines = [f"reps: {doc['rep_count']}  fps processed: {doc['fps_processed']:.1f}"]
    for rep in doc["reps"]:
        flags = "; ".join(f["reason"] for f in rep["flags"]) or "no faults flagged"
        lines.append(f"  rep {rep['index']}: {rep['start_s']:.1f}-{rep['end_s']:.1f} s  {flags}")
    return "\n".join(lines)
