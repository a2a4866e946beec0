"""Team gold in the database: set by a coach, seen by every instance, revertible."""

from __future__ import annotations

import numpy as np
import pytest

from coach.auth.viewer import NotAllowed, Viewer
from coach.core.settings import Settings
from coach.form.gold import TeamGold, gold_from_keypoints, load_gold, use_team_gold
from coach.pipeline.form_check import gold_for
from coach.store.accounts import Accounts
from coach.store.gold import TeamGoldStore
from coach.store.store import Store

PASSWORD = "correct horse battery"


def _doc(shift_px: float) -> dict:
    shipped = load_gold("squat").pose("front", "standing").keypoints
    kp = type(shipped).single(shipped.xy[0] + shift_px, shipped.score[0])
    return gold_from_keypoints(kp, lift="squat", view="front", phase="standing",
                               image_wh=(4000, 4000), source=f"test shift {shift_px}")


def test_team_gold_is_shared_by_instances_and_reverts(db_url: str) -> None:
    with Store.open(db_url, viewer=Viewer.operator()) as one, \
            Store.open(db_url, viewer=Viewer.operator()) as two:  # two app instances
        accounts = Accounts(one)
        accounts.create_first_admin("root", PASSWORD)
        red = accounts.create_team("Red")
        accounts.create_user("cat", PASSWORD, "coach", team_id=red)
        accounts.create_user("ada", PASSWORD, "athlete", team_id=red)
        coach = Accounts(two).authenticate("cat", PASSWORD)
        ada = Accounts(two).authenticate("ada", PASSWORD)
        assert coach is not None and ada is not None
        first = TeamGoldStore(one.as_viewer(coach)).replace(red, _doc(5.0))
        second = TeamGoldStore(one.as_viewer(coach)).replace(red, _doc(9.0))
        seen = TeamGoldStore(two.as_viewer(ada))
        assert seen.team_id() == red
        (current,) = seen.current(red, "squat")
        assert current.id == second and current.set_by == "cat"
        with pytest.raises(NotAllowed):
            seen.replace(red, _doc(1.0))
        with pytest.raises(NotAllowed):
            seen.revert(second)
        TeamGoldStore(two.as_viewer(coach)).revert(second)
        assert [o.id for o in seen.current(red)] == [first]
        assert len(seen.history(red)) == 2


def test_the_scorer_uses_the_team_gold_in_force() -> None:
    settings = Settings(data_dir="/nonexistent")
    shipped = gold_for("squat", settings).pose("front", "standing").keypoints.xy
    with use_team_gold(TeamGold((1,), (_doc(7.0),))):
        team = gold_for("squat", settings).pose("front", "standing").keypoints.xy
    assert np.nanmax(np.abs(team - shipped - 7.0)) < 0.01
    again = gold_for("squat", settings).pose("front", "standing").keypoints.xy
    assert np.allclose(again, shipped, equal_nan=True)  # outside the block: shipped gold
