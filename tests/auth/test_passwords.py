"""Argon2id password hashing and the names people type."""

from __future__ import annotations

import pytest

from coach.auth.names import check_team_name, check_username, shown
from coach.auth.passwords import check_password, hash_password, verify_password
from coach.auth.viewer import NotAllowed, Role, Viewer
from coach.core.errors import BadInput


def test_a_hash_verifies_only_its_password() -> None:
    digest = hash_password("correct horse battery")
    assert digest.startswith("$argon2id$") and "correct" not in digest
    assert verify_password(digest, "correct horse battery")
    assert not verify_password(digest, "correct horse batterY")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not a hash", "x")
    assert not verify_password(digest, "x" * 100_000)


def test_password_rules_never_echo_the_password() -> None:
    with pytest.raises(BadInput) as caught:
        check_password("hunter2")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(BadInput):
        check_password(" " * 20)


@pytest.mark.parametrize(
    "name", ["", " ", "a b", "![t](http://127.0.0.1:9/t.png)", "x" * 65, "-ada"]
)
def test_bad_usernames_are_refused_with_a_short_quote(name: str) -> None:
    with pytest.raises(BadInput) as caught:
        check_username(name)
    assert len(str(caught.value)) < 160


def test_usernames_are_case_insensitive_and_team_names_trimmed() -> None:
    assert check_username(" Ada.L@gym ") == "ada.l@gym"
    assert check_team_name("  Red  ") == "Red"
    with pytest.raises(BadInput):
        check_team_name("x" * 101)
    assert shown("y" * 10_000) == repr("y" * 24 + "...")


def test_roles_gate_actions_and_admins_pass() -> None:
    athlete = Viewer(1, "ada", Role.ATHLETE, 1)
    with pytest.raises(NotAllowed, match="athlete"):
        athlete.require(Role.COACH, to="review flags")
    Viewer(2, "cat", Role.COACH).require(Role.COACH, to="review flags")
    Viewer.operator().require(to="anything")
