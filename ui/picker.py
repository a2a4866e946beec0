"""Picking the lifter by a click on a picture (the Photo page's photos, the Video page's first
frame): a Plotly chart with a clickable grid, or typed coordinates for keyboards and tests."""

from __future__ import annotations

import streamlit as st

from ui import charts


def pick_point(jpeg: bytes, width_px: int, height_px: int, *, label: str, key: str
               ) -> tuple[float, float] | None:  # fmt: skip
    """Where the user says the lifter is, in the picture's ORIGINAL pixels: a click on it, or
    typed coordinates confirmed with a button; None until either.

    Args:
        jpeg: the picture, at any size (it is stretched over width_px x height_px).
        label: the expander's title (plain text: the caller escapes user text).
        key: prefix of the widgets' keys, unique on the page.
    """
    with st.expander(label):
        event = st.plotly_chart(
            charts.lifter_picker(jpeg, width_px, height_px),
            on_select="rerun", selection_mode="points", key=f"{key}.pick",
        )  # fmt: skip
        points = event["selection"]["points"] if event else []
        if points:
            return float(points[0]["x"]), float(points[0]["y"])
        cx, cy, go = st.columns([2, 2, 1], vertical_alignment="bottom")
        x = cx.number_input("x (px)", 0, width_px, width_px // 2, key=f"{key}.x")
        y = cy.number_input("y (px)", 0, height_px, height_px // 2, key=f"{key}.y")
        if go.button("Use this point", key=f"{key}.go"):
            return float(x), float(y)
    return None
