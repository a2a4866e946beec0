"""Sign-in in the app (AppTest): the first visit makes the admin, a failed sign-in leaks
nothing, a signed-in athlete sees only their own sessions, and names show as plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach.auth.viewer import Viewer
from coach.store.accounts import Accounts
from coach.store.store import Store
from ui import state
from ui.auth import SIGN_IN_FAILED
from ui.text import plain

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
HOSTILE = "![t](http://127.0.0.1:9/track.png)"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIFTCOACH_BACKEND", "replay")
    monkeypatch.setenv("LIFTCOACH_DATA", str(tmp_path / "data"))
    for var in ("DATABASE_URL", "LIFTCOACH_CONFIG", "LIFTCOACH_SINGLE_USER"):
        monkeypatch.delenv(var, raising=False)
    st.cache_resource.clear()
    yield tmp_path / "data"
    st.cache_resource.clear()


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _sign_in(name: str, password: str) -> AppTest:
    """The app after a sign-in with this name and password (the form's one button)."""
    at = _app().run()
    at.text_input(key="auth.username").input(name)
    at.text_input(key="auth.password").input(password)
    at.button[0].click().run()
    return at


def _root(data: Path) -> Store:
    url = f"sqlite:///{(data / 'liftcoach.sqlite3').resolve()}"
    return Store.open(url, viewer=Viewer.operator())


def test_the_first_visit_creates_the_admin_then_asks_to_sign_in(data: Path) -> None:
    at = _app().run()
    assert at.title[0].value.endswith("Set up LiftCoach")
    at.text_input(key="auth.new_username").input("root")
    at.text_input(key="auth.new_password").input(PASSWORD)
    at.text_input(key="auth.new_password2").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.title[0].value.endswith("Photo check")
    assert at.session_state[state.AUTH_VIEWER].is_admin
    fresh = _app().run()  # another browser: an account exists, so it is the sign-in form
    assert fresh.title[0].value.endswith("LiftCoach") and len(fresh.text_input) == 2


def test_a_failed_sign_in_says_so_and_leaks_nothing(data: Path) -> None:
    with _root(data) as root:
        Accounts(root).create_first_admin("root", PASSWORD)
    messages = []
    for name, password in (("root", "wrong password"), ("nobody", PASSWORD)):
        at = _sign_in(name, password)
        assert state.AUTH_VIEWER not in at.session_state
        messages.append([e.value for e in at.error])
    assert messages == [[SIGN_IN_FAILED], [SIGN_IN_FAILED]]  # unknown name == wrong password


def test_an_athlete_sees_only_their_sessions_and_names_are_plain(data: Path) -> None:
    with _root(data) as root:
        Accounts(root).create_first_admin("root", PASSWORD)
        for name in ("ada", "bob"):
            Accounts(root).create_user(name, PASSWORD, "athlete")
        hostile = root.start_session(root.get_or_create_athlete(HOSTILE), "photo", notes=HOSTILE)
        root.start_session(root.get_or_create_athlete("bob"), "photo")
        ada = root.start_session(root.get_or_create_athlete("ada"), "photo", notes=HOSTILE)
    at = _sign_in("ada", PASSWORD)
    at.switch_page("pages/sessions.py").run()
    assert not at.exception
    listed = at.dataframe[0].value
    assert set(listed["athlete"]) == {"ada"} and hostile not in set(listed["id"])
    assert at.header[0].value == f"Session #{ada}: ada, photo"
    assert HOSTILE in [t.value for t in at.text]  # the note, as plain text
    assert "Accounts" not in str(at.sidebar)  # athletes manage nothing
    at.query_params["session"] = str(hostile)  # a session id typed into the address
    at.run()
    assert not at.exception and not at.header
    assert [e.value for e in at.error] == [f"no session with id {hostile}"]


def test_plain_escapes_markdown_images_links_and_colours() -> None:
    assert plain(HOSTILE) == r"\!\[t\]\(http\:\/\/127\.0\.0\.1\:9\/track\.png\)"
    assert plain(":red[big]") == r"\:red\[big\]"
    assert plain("a\nb " * 100, limit=10).endswith("…")


def test_an_account_change_the_admin_may_not_make_saves_nothing(data: Path) -> None:
    with _root(data) as root:
        Accounts(root).create_first_admin("root", PASSWORD)
        Accounts(root).create_user("ada", PASSWORD, "athlete")
    at = _sign_in("root", PASSWORD)
    at.switch_page("pages/accounts.py").run()
    assert not at.exception

    def widget(kind: str, label: str) -> Any:
        return next(w for w in getattr(at, kind) if w.label == label)

    widget("selectbox", "Account").set_value("root")
    widget("selectbox", "Role").set_value("athlete")
    widget("checkbox", "Disabled").check()
    widget("button", "Save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["you cannot disable your own account"]
    with _root(data) as root:
        me = {a.username: a for a in Accounts(root).accounts()}["root"]
    assert (me.role, me.disabled) == ("admin", False)  # the role was not changed either
