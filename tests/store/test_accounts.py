"""Accounts, teams and what each viewer may see, on SQLite and PostgreSQL.

Two athletes on one coach's team, a third athlete on another team: each athlete sees only their
own sessions, the coach sees both of theirs, and the third sees neither, also by typed id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from coach.auth.viewer import NotAllowed, Role, Viewer
from coach.core.errors import BadInput, StorageError
from coach.core.flags import Flag
from coach.store.accounts import MAX_FAILED_SIGN_INS, Accounts
from coach.store.store import Store

PASSWORD = "correct horse battery"


@dataclass
class Gym:
    """The operator's store and one signed-in store per person."""

    root: Store
    admin: Store
    coach: Store
    ada: Store
    bob: Store
    cy: Store
    sessions: dict[str, int]


def _signed_in(root: Store, name: str) -> Store:
    viewer = Accounts(root).authenticate(name, PASSWORD)
    assert viewer is not None, name
    return root.as_viewer(viewer)


@pytest.fixture
def gym(db_url: str) -> Iterator[Gym]:
    with Store.open(db_url, viewer=Viewer.operator()) as root:
        admin_v = Accounts(root).create_first_admin("root", PASSWORD)
        admin = Accounts(root.as_viewer(admin_v))
        red = admin.create_team("Red barbell club")
        blue = admin.create_team("Blue")
        admin.create_user("coach", PASSWORD, "coach")
        admin.add_member(red, "coach", "coach")
        coach = _signed_in(root, "coach")
        Accounts(coach).create_user("ada", PASSWORD, "athlete", team_id=red)
        admin.create_user("bob", PASSWORD, "athlete")
        Accounts(coach).add_member(red, "bob")
        admin.create_user("cy", PASSWORD, "athlete", team_id=blue)
        stores = {n: _signed_in(root, n) for n in ("ada", "bob", "cy")}
        sessions = {}
        for name, store in stores.items():
            sid = store.start_session(store.get_or_create_athlete(name), "photo")
            store.add_frame(sid, index=0, t_s=0.0, keypoints=None, angles_deg={},
                            flags=[Flag("left_knee", "caves in", 0.9)])  # fmt: skip
            store.end_session(sid)
            sessions[name] = sid
        yield Gym(root, root.as_viewer(admin_v), coach, stores["ada"], stores["bob"],
                  stores["cy"], sessions)  # fmt: skip


def _seen(store: Store) -> set[str]:
    return {s.athlete for s in store.list_sessions()}


def test_each_athlete_sees_only_their_own_sessions(gym: Gym) -> None:
    assert _seen(gym.ada) == {"ada"}
    assert _seen(gym.bob) == {"bob"}
    assert _seen(gym.cy) == {"cy"}


def test_the_coach_sees_their_team_and_the_admin_everyone(gym: Gym) -> None:
    assert _seen(gym.coach) == {"ada", "bob"}
    assert _seen(gym.admin) == {"ada", "bob", "cy"}
    assert [n for _, n in gym.coach.athletes()] == ["ada", "bob", "coach"]  # coach: own row


def test_a_typed_session_id_of_someone_else_reads_as_missing(gym: Gym) -> None:
    ada_id = gym.sessions["ada"]
    for outsider in (gym.cy, gym.bob):
        with pytest.raises(StorageError, match=f"no session with id {ada_id}"):
            outsider.load_session(ada_id)
        with pytest.raises(StorageError, match=f"no session with id {ada_id}"):
            outsider.export_csv(ada_id)
        with pytest.raises(StorageError, match=f"no session with id {ada_id}"):
            outsider.add_frame(ada_id, index=5, t_s=1.0, keypoints=None, angles_deg={})
        frame_id = gym.ada.load_session(ada_id).frames[0].id
        assert outsider.thumbnail(frame_id) is None
    assert gym.coach.load_session(ada_id).athlete == "ada"


def test_only_a_coach_who_sees_the_flag_reviews_it(gym: Gym) -> None:
    flag_id = gym.ada.load_session(gym.sessions["ada"]).flags[0].id
    assert flag_id is not None
    with pytest.raises(NotAllowed, match="cannot review flags"):
        gym.ada.set_verdict(flag_id, accepted=False)
    with pytest.raises(NotAllowed):
        gym.cy.set_verdict(flag_id, accepted=False)
    cy_flag = gym.cy.load_session(gym.sessions["cy"]).flags[0].id
    assert cy_flag is not None
    with pytest.raises(StorageError, match="no flag"):
        gym.coach.set_verdict(cy_flag, accepted=False)
    gym.coach.set_verdict(flag_id, accepted=False, note="fine")
    assert gym.ada.load_session(gym.sessions["ada"]).flags[0].verdict is not None


def test_athletes_save_only_under_their_own_name(gym: Gym) -> None:
    with pytest.raises(NotAllowed, match="only under your own name"):
        gym.ada.get_or_create_athlete("bob")
    with pytest.raises(NotAllowed, match="not an athlete on your team"):
        gym.coach.get_or_create_athlete("cy")
    assert gym.coach.get_or_create_athlete("ada") == gym.ada.get_or_create_athlete("ada")
    cy_athlete = gym.cy.get_or_create_athlete("cy")
    with pytest.raises(StorageError, match="no athlete"):
        gym.ada.start_session(cy_athlete, "photo")


def test_a_failed_sign_in_is_the_same_for_every_reason(gym: Gym) -> None:
    accounts = Accounts(gym.root)
    assert accounts.authenticate("ada", "wrong password!") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("x" * 10_000, PASSWORD) is None
    Accounts(gym.admin).set_disabled("bob", True)
    assert accounts.authenticate("bob", PASSWORD) is None
    assert _seen(gym.bob) == set()  # the signed-in tab loses access at once
    assert _seen(gym.coach) == {"ada"}


def test_sign_ins_are_throttled_per_username(gym: Gym) -> None:
    accounts = Accounts(gym.root)
    for _ in range(MAX_FAILED_SIGN_INS):
        assert accounts.authenticate("ada", "not the password") is None
    assert accounts.authenticate("ada", PASSWORD) is None
    assert accounts.authenticate("bob", PASSWORD) is not None


def test_roles_limit_who_manages_accounts(gym: Gym) -> None:
    with pytest.raises(NotAllowed):
        Accounts(gym.ada).create_user("eve", PASSWORD, "athlete")
    with pytest.raises(NotAllowed, match="athlete accounts on a team they coach"):
        Accounts(gym.coach).create_user("eve", PASSWORD, "coach")
    blue = next(t.id for t in Accounts(gym.admin).teams() if t.name == "Blue")
    with pytest.raises(NotAllowed, match="team you coach"):
        Accounts(gym.coach).add_member(blue, "ada")
    with pytest.raises(NotAllowed):
        Accounts(gym.root).create_first_admin("second", PASSWORD)
    assert [t.name for t in Accounts(gym.coach).teams()] == ["Red barbell club"]
    assert {a.username for a in Accounts(gym.coach).accounts()} == {"coach", "ada", "bob"}


def test_names_and_passwords_are_checked_first(gym: Gym) -> None:
    admin = Accounts(gym.admin)
    with pytest.raises(BadInput, match="password needs") as caught:
        admin.create_user("dan", "short", "athlete")
    assert "short" not in str(caught.value)
    with pytest.raises(BadInput, match="username needs") as caught:
        admin.create_user("![t](http://127.0.0.1:9/t.png)" * 300, PASSWORD, "athlete")
    assert len(str(caught.value)) < 200
    with pytest.raises(BadInput, match="taken"):
        admin.create_user("ADA", PASSWORD, "athlete")


def test_an_account_adopts_sessions_saved_for_its_name_before(db_url: str) -> None:
    with Store.open(db_url, viewer=Viewer.operator()) as root:
        sid = root.start_session(root.get_or_create_athlete("Dee"), "photo")
        Accounts(root).create_first_admin("root", PASSWORD)
        Accounts(root).create_user("dee", PASSWORD, "athlete")
        assert {s.id for s in _signed_in(root, "dee").list_sessions()} == {sid}


def test_oidc_first_account_is_admin_then_athletes(db_url: str) -> None:
    with Store.open(db_url, viewer=Viewer.operator()) as root:
        accounts = Accounts(root)
        first = accounts.oidc_viewer("https://idp|1", "ann@example.org")
        second = accounts.oidc_viewer("https://idp|2", "ann@example.org")
        assert first is not None and first.role is Role.ADMIN and first.username == "ann"
        assert second is not None and second.role is Role.ATHLETE and second.username == "ann2"
        assert accounts.oidc_viewer("https://idp|1", "x") == accounts.refresh(first)


def _role_and_disabled(accounts: Accounts, username: str) -> tuple[str, bool]:
    (account,) = (a for a in accounts.accounts() if a.username == username)
    return account.role, account.disabled


def test_an_account_change_saves_both_parts_or_neither(gym: Gym) -> None:
    admin = Accounts(gym.admin)
    admin.change_account("bob", role="coach", disabled=True)
    assert _role_and_disabled(admin, "bob") == ("coach", True)
    # An admin may not disable their own account: the role they asked for is not saved either.
    with pytest.raises(NotAllowed, match="your own account"):
        admin.change_account("root", role="athlete", disabled=True)
    assert _role_and_disabled(admin, "root") == ("admin", False)
    with pytest.raises(BadInput, match="unknown role"):
        admin.change_account("bob", role="owner", disabled=False)
    assert _role_and_disabled(admin, "bob") == ("coach", True)  # nothing changed
    with pytest.raises(NotAllowed, match="cannot change accounts"):
        Accounts(gym.coach).change_account("ada", role="admin")
