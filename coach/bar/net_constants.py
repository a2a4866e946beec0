"""Input conventions PlateNet was trained with, importable without torch."""

from __future__ import annotations

STRIDE = 4  # output cell size in input pixels
PAD_MULTIPLE = 32  # the backbone halves the size 5 times
PAD_VALUE = 114  # grey letterbox fill, as in training
