"""Plotly figures shared by the pages. Pure functions: data in, `go.Figure` out."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from coach.live.state import LiveState
from coach.store.records import SessionDetail

# Clickable grid over a photo for picking the lifter: this many points along the longer side.
# Dense enough that a click anywhere on a person lands on a point, sparse enough for SVG.
PICK_GRID_POINTS = 48
FLAG_COLOR = "#d62728"
REP_FILL = "rgba(31, 119, 180, 0.12)"


def _nice(name: str) -> str:
    return name.removesuffix("_deg").replace("_", " ")


def angles_vs_gold(angles_deg: Mapping[str, float], gold_deg: Mapping[str, float]) -> go.Figure:
    """Grouped bars: the lifter's joint angles beside the gold pose's, per angle (degrees)."""
    names = sorted(set(angles_deg) | set(gold_deg))
    labels = [_nice(n) for n in names]
    fig = go.Figure()
    fig.add_bar(name="lifter", x=labels, y=[_finite(angles_deg.get(n)) for n in names])
    fig.add_bar(name="gold", x=labels, y=[_finite(gold_deg.get(n)) for n in names])
    fig.update_layout(
        barmode="group", yaxis_title="angle (°)", height=340, margin={"t": 30, "b": 10},
        title="Joint angles vs gold (same phase)",
    )  # fmt: skip
    return fig


def angle_traces(
    x: Sequence[float | str], angles: Sequence[Mapping[str, float]], *, x_title: str, title: str
) -> go.Figure:
    """One line per angle name over `x` (photo names in upload order, or seconds)."""
    names = sorted({n for a in angles for n in a})
    fig = go.Figure()
    for name in names:
        ys = [_finite(a.get(name)) for a in angles]
        fig.add_scatter(x=list(x), y=ys, mode="lines+markers", name=_nice(name))
    fig.update_layout(
        xaxis_title=x_title, yaxis_title="angle (°)", height=340, title=title,
        margin={"t": 30, "b": 10},
    )  # fmt: skip
    return fig


def live_traces(state: LiveState) -> go.Figure:
    """The live angle traces of the last seconds."""
    fig = go.Figure()
    for name, ys in state.traces.items():
        fig.add_scatter(
            x=list(state.trace_t_s), y=[_finite(v) for v in ys], mode="lines", name=_nice(name)
        )
    fig.update_layout(
        xaxis_title="time (s)", yaxis_title="angle (°)", height=320, margin={"t": 10, "b": 10},
        uirevision="live",  # keep the user's zoom and legend toggles across refreshes
    )  # fmt: skip
    return fig


def session_traces(detail: SessionDetail) -> go.Figure:
    """Joint-angle traces over the session with flagged frames marked in red."""
    frames = detail.frames
    fig = angle_traces(
        [f.t_s for f in frames], [f.angles_deg for f in frames], x_title="time (s)",
        title="Joint angles over the session",
    )  # fmt: skip
    shade_reps(fig, [(r.start_s, r.end_s, f"rep {r.index + 1}") for r in detail.reps])
    flagged = [f for f in frames if f.flags]
    if flagged:
        top = max((v for f in frames for v in f.angles_deg.values() if math.isfinite(v)), default=0)
        fig.add_scatter(
            x=[f.t_s for f in flagged], y=[top + 10.0] * len(flagged), mode="markers",
            name="flagged", marker={"symbol": "triangle-down", "size": 12, "color": FLAG_COLOR},
            text=["; ".join(f"{fl.joint.replace('_', ' ')}: {fl.reason}" for fl in f.flags)
                  for f in flagged],
            hovertemplate="%{x:.2f} s<br>%{text}<extra></extra>",
        )  # fmt: skip
    return fig


def shade_reps(fig: go.Figure, spans: Sequence[tuple[float, float, str]]) -> go.Figure:
    """Shade each rep's [start, end] (seconds) behind the traces, labelled "rep N"."""
    for start, end, label in spans:
        fig.add_vrect(
            x0=start, x1=end, fillcolor=REP_FILL, line_width=0, layer="below",
            annotation_text=label, annotation_position="top left",
        )  # fmt: skip
    return fig


def clip_traces(
    t_s: Sequence[float], traces: Mapping[str, Sequence[float]],
    reps: Sequence[tuple[float, float, str]], flags: Sequence[tuple[float, str]],
) -> go.Figure:  # fmt: skip
    """A clip's angle traces over time with its reps shaded and flagged moments marked."""
    fig = go.Figure()
    for name, ys in traces.items():
        fig.add_scatter(x=list(t_s), y=[_finite(v) for v in ys], mode="lines", name=_nice(name))
    shade_reps(fig, reps)
    if flags:
        top = max((v for ys in traces.values() for v in ys if math.isfinite(v)), default=0.0)
        fig.add_scatter(
            x=[t for t, _ in flags], y=[top + 10.0] * len(flags), mode="markers", name="flagged",
            marker={"symbol": "triangle-down", "size": 12, "color": FLAG_COLOR},
            text=[text for _, text in flags], hovertemplate="%{x:.2f} s<br>%{text}<extra></extra>",
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="time (s)", yaxis_title="angle (°, 2D image)", height=360,
        margin={"t": 30, "b": 10}, title="Joint angles over the set (reps shaded)",
    )  # fmt: skip
    return fig


def lifter_picker(jpeg: bytes, width_px: int, height_px: int) -> go.Figure:
    """The photo with a faint grid of clickable points in ORIGINAL pixel coordinates.

    Streamlit's `st.image` has no click events; a Plotly chart with `on_select="rerun"` does,
    but only on data points, so the grid is what a click selects. The selected point's x/y is
    the click position (to within one grid cell).
    """
    step = max(width_px, height_px) / PICK_GRID_POINTS
    xs, ys = [], []
    for iy in range(int(height_px / step) + 1):
        for ix in range(int(width_px / step) + 1):
            xs.append(round(ix * step + step / 2, 1))
            ys.append(round(iy * step + step / 2, 1))
    fig = go.Figure(
        go.Scatter(
            x=xs, y=ys, mode="markers", marker={"size": 9, "opacity": 0.08, "color": "white"},
            hovertemplate="click: the lifter is here (%{x:.0f}, %{y:.0f})<extra></extra>",
        )
    )  # fmt: skip
    src = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    fig.add_layout_image(
        source=src, xref="x", yref="y", x=0, y=0, sizex=width_px, sizey=height_px,
        sizing="stretch", layer="below",
    )  # fmt: skip
    fig.update_xaxes(range=[0, width_px], visible=False)
    fig.update_yaxes(range=[height_px, 0], visible=False, scaleanchor="x")
    fig.update_layout(height=min(640, max(320, height_px)), margin=dict.fromkeys("lrtb", 0))
    return fig


def _finite(value: float | None) -> float | None:
    """Plotly leaves a gap for None; NaN would too but is not JSON."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def bar_path(series: Sequence[Mapping[str, object]], unit: str, label: str) -> go.Figure:
    """The bar's path, x against height, one colour per rep (from `coach.bar.export.
    bar_chart_inputs`: x from the rep's first position, height from its lowest, in cm or px)."""
    fig = go.Figure()
    for s in series:
        fig.add_scatter(x=s["x"], y=s["y"], mode="lines+markers", name=str(s["name"]),
                        marker={"size": 4}, connectgaps=False)  # fmt: skip
    fig.update_layout(
        xaxis_title=f"horizontal ({unit})", yaxis_title=f"height ({unit})", height=420,
        margin={"t": 40, "b": 10}, title=f"Bar path per rep ({label})",
    )  # fmt: skip
    fig.update_yaxes(scaleanchor="x", scaleratio=1)  # true shape: 1 cm across = 1 cm up
    return fig
