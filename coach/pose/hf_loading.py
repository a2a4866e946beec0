"""Loading Hugging Face models for the ViTPose backend: the lazy torch/transformers import, the
device and dtype, and `from_pretrained` from a local folder or the hub, with one clear error
when the weights can be neither found nor downloaded."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coach.core.errors import BackendUnavailable, SettingsError

log = logging.getLogger(__name__)

_FIX_HINT = (
    "Set LIFTCOACH_VITPOSE and LIFTCOACH_DETECTOR to local directories holding the weights "
    "(see the README), or use --backend mediapipe."
)
_PROBE_TIMEOUT_S = 10.0


def import_stack() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise BackendUnavailable(
            f"the ViTPose backend needs torch and transformers ({exc.name} is not installed); "
            "install requirements.txt or use --backend mediapipe."
        ) from None
    return torch, transformers


def resolve_device(torch: Any, device: str) -> Any:
    """'auto' -> cuda when available, else cpu; an explicit cuda device must exist."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise SettingsError(
            f"device {device!r} is not valid; use auto, cpu, cuda or cuda:N (LIFTCOACH_DEVICE)"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise BackendUnavailable(
            f"device {device!r} was asked for but no CUDA GPU is visible; "
            "set LIFTCOACH_DEVICE=cpu or use --backend mediapipe."
        )
    if resolved.type not in {"cpu", "cuda"}:
        raise SettingsError(f"device {device!r} is not supported; use auto, cpu, cuda or cuda:N")
    return resolved


def pick_dtype(torch: Any, device: Any) -> Any:
    """bf16 on GPUs that have it (fp16 otherwise); fp32 on CPU, where half is rarely faster."""
    if device.type != "cuda":
        return torch.float32
    with torch.cuda.device(device):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def load_model(
    kind: str, ref: str, env_var: str, model_cls: Any, placement: tuple[Any, Any],
    report: Callable[[str], None],
) -> tuple[Any, Any]:  # fmt: skip
    """(image processor, model) from a local dir, the cache, or the hub.

    Args:
        placement: (torch device, torch dtype) the model is loaded in and moved to.

    Raises:
        BackendUnavailable: one message saying what to set; no traceback from the hub.
    """
    if not ref.strip():
        raise BackendUnavailable(f"no {kind} weights are set ({env_var}). " + _FIX_HINT)
    local = Path(ref).expanduser()
    if local.is_dir():
        report(f"loading {kind} from {local}")
        return _from_pretrained(kind, str(local), env_var, model_cls, placement, local_only=True)
    if _looks_like_path(ref):
        raise BackendUnavailable(f"{kind} weights: there is no directory {ref} ({env_var}). "
                                 + _FIX_HINT)  # fmt: skip
    try:  # cached weights load without touching the network at all
        return _from_pretrained(kind, ref, env_var, model_cls, placement, local_only=True)
    except BackendUnavailable:
        if _hub_offline():
            raise BackendUnavailable(
                f"{kind} weights {ref!r} ({env_var}) are not in the local Hugging Face cache and "
                "HF_HUB_OFFLINE is set. " + _FIX_HINT
            ) from None
    _probe_hub(kind, ref, env_var)
    report(f"downloading {kind} weights {ref} from the Hugging Face hub")
    return _from_pretrained(kind, ref, env_var, model_cls, placement, local_only=False)


def _from_pretrained(
    kind: str, ref: str, env_var: str, model_cls: Any, placement: tuple[Any, Any], *,
    local_only: bool,
) -> tuple[Any, Any]:  # fmt: skip
    from transformers import AutoImageProcessor

    device, dtype = placement
    try:
        processor = AutoImageProcessor.from_pretrained(ref, local_files_only=local_only)
        model = model_cls.from_pretrained(ref, dtype=dtype, local_files_only=local_only)
    except (OSError, ValueError, RuntimeError) as exc:
        # OSError also covers the hub's HTTP and offline errors (HfHubHTTPError, ConnectionError).
        log.debug("loading %s from %r failed", kind, ref, exc_info=True)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackendUnavailable(
            f"{kind} weights {ref!r} ({env_var}) cannot be loaded: {reason}. " + _FIX_HINT
        ) from None
    return processor, model.to(device).eval()


def _looks_like_path(ref: str) -> bool:
    """Hub ids are 'name' or 'org/name'; anything else is meant as a directory."""
    return (
        ref.startswith(("/", ".", "~")) or ref.count("/") > 1 or (os.sep != "/" and os.sep in ref)
    )


def _hub_offline() -> bool:
    """HF_HUB_OFFLINE read now: huggingface_hub only reads it once, at import time."""
    import huggingface_hub.constants

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    from_env = any(flag.strip().upper() in {"1", "ON", "YES", "TRUE"} for flag in flags)
    return from_env or bool(huggingface_hub.constants.HF_HUB_OFFLINE)


def _probe_hub(kind: str, ref: str, env_var: str) -> None:
    """One request without retries, so an unreachable hub fails in seconds.

    `from_pretrained` retries each file five times with back-off: measured 23 s per file when
    DNS fails outright; longer where packets are dropped (each try waits for its timeout).
    """
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    try:
        huggingface_hub.model_info(ref, timeout=_PROBE_TIMEOUT_S)
    except HfHubHTTPError:
        return  # the hub answered (401, 404, ...): from_pretrained gives the precise reason
    except Exception as exc:  # connection refused, DNS, timeout, proxy: the hub is unreachable
        log.debug("hub probe for %r failed", ref, exc_info=True)
        raise BackendUnavailable(
            f"{kind} weights {ref!r} ({env_var}) are not cached here and the Hugging Face hub "
            f"cannot be reached ({type(exc).__name__}). " + _FIX_HINT
        ) from None
