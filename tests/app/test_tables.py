"""The tables the pages show, from the library's results."""

from __future__ import annotations

from types import SimpleNamespace

from coach.core.flags import Flag
from ui import tables


def test_the_photo_flags_table_names_each_flagged_joint_in_words() -> None:
    # The Photo page's table of a flagged photo (it once read a joint name's `.label`, which a
    # plain joint name does not have, and would have failed on the first flagged photo).
    outcome = SimpleNamespace(flags=(Flag("left_knee", "knees caving in", 0.816),
                                     Flag("right_hip", "hips too low", float("nan"))))
    table = tables.flags_table(outcome)  # type: ignore[arg-type]
    assert table["joint"].tolist() == ["left knee", "right hip"]
    assert table["reason"].tolist() == ["knees caving in", "hips too low"]
    assert table["confidence"].iloc[0] == 0.82


def test_an_unflagged_photo_has_an_empty_table_with_its_columns() -> None:
    table = tables.flags_table(SimpleNamespace(flags=()))  # type: ignore[arg-type]
    assert table.empty and list(table.columns) == ["joint", "reason", "confidence"]
