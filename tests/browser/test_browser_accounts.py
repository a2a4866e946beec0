"""Sign-in and privacy in a real Chromium against a real server with accounts, on SQLite and
on PostgreSQL.

Two athletes (ada, bob) on coach cat's team, and cy on another team. Each athlete sees only
their own sessions; the coach sees both; cy sees neither, also by typing a session id into the
address. A failed sign-in says so and says nothing more. A name or note holding a Markdown
image is shown as text and the browser never requests the image (requests are listened to).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coach.auth.viewer import Viewer
from coach.store.accounts import Accounts
from coach.store.store import Store
from tests.browser.harness import StreamlitServer, launch_chromium, streamlit_server
from tests.postgres_server import fresh_database

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
PIXEL = "http://127.0.0.1:9/track.png"
HOSTILE = f"![t]({PIXEL})"


@pytest.fixture(scope="module", params=[
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
])  # fmt: skip
def gym(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        server: StreamlitServer) -> Iterator[Any]:  # fmt: skip
    """A server with sign-in on each database, and its people and sessions (ids by owner)."""
    data = tmp_path_factory.mktemp("gym-data")
    url = f"sqlite:///{(data / 'liftcoach.sqlite3').resolve()}"
    env = {"LIFTCOACH_BACKEND": "replay"}
    if request.param == "postgresql":
        url = fresh_database(request.getfixturevalue("postgres_url"), "liftcoach_browser")
        env["DATABASE_URL"] = url
    sessions = {}
    with Store.open(url, viewer=Viewer.operator()) as root:
        accounts = Accounts(root)
        accounts.create_first_admin("root", PASSWORD)
        red, blue = accounts.create_team("Red"), accounts.create_team("Blue")
        accounts.create_user("cat", PASSWORD, "coach", team_id=red)
        for name, team in (("ada", red), ("bob", red), ("cy", blue)):
            accounts.create_user(name, PASSWORD, "athlete", team_id=team)
            sid = root.start_session(root.get_or_create_athlete(name), "photo", notes=HOSTILE)
            root.end_session(sid)
            sessions[name] = sid
        sessions["hostile"] = root.start_session(root.get_or_create_athlete(HOSTILE), "photo")
    with streamlit_server(data, env=env) as srv:
        yield srv, sessions


@pytest.fixture
def tab(playwright_driver: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh browser (no cookies) that records every request it makes."""
    with launch_chromium(playwright_driver, tmp_path / "profile") as context:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        yield page


def _idle(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def _sign_in(page: Any, address: str, name: str, password: str = PASSWORD) -> None:
    """Type `address` into the tab (a new Streamlit session, signed out) and sign in there."""
    page.goto(address)
    page.get_by_label("Username").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(500)
    _idle(page)


def _open(page: Any, url: str, name: str, session_id: int) -> str:
    """The Sessions page with ?session=ID typed into the address; the main area's text."""
    _sign_in(page, f"{url}/sessions?session={session_id}", name)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(f"Session #{session_id}").or_(
        main.get_by_text(f"no session with id {session_id}")).first.wait_for()
    _idle(page)
    return str(main.inner_text())


def test_each_person_sees_exactly_what_is_theirs(gym: Any, tab: Any) -> None:
    server, sessions = gym
    seen: dict[str, set[str]] = {}
    for person in ("ada", "bob", "cat", "cy"):
        seen[person] = set()
        page = tab.context.new_page()
        for owner in ("ada", "bob", "cy"):
            text = _open(page, server.url, person, sessions[owner])
            if f"Session #{sessions[owner]}: {owner}, photo" in text:
                seen[person].add(owner)
            else:
                assert f"no session with id {sessions[owner]}" in text, text
        page.close()
    assert seen == {"ada": {"ada"}, "bob": {"bob"}, "cat": {"ada", "bob"}, "cy": {"cy"}}


def test_a_failed_sign_in_says_so_and_nothing_more(gym: Any, tab: Any) -> None:
    server, _ = gym
    texts = []
    for name, password in (("ada", "not the password"), ("nobody", PASSWORD)):
        tab.goto(server.url)
        tab.get_by_label("Username").fill(name)
        tab.get_by_role("textbox", name="Password").fill(password)
        tab.get_by_role("button", name="Sign in").click()
        error = tab.locator('[data-testid="stAlertContentError"]')
        error.wait_for()
        texts.append(error.inner_text().strip())
        assert not tab.get_by_text("Signed in as").count()
        assert not tab.locator('[data-testid="stMain"]').get_by_text("Session #").count()
    assert texts == ["Wrong username or password."] * 2


def test_hostile_names_and_notes_are_text_and_fetch_nothing(gym: Any, tab: Any) -> None:
    server, sessions = gym
    for sid in (sessions["hostile"], sessions["ada"]):
        text = _open(tab, server.url, "root", sid)
        assert HOSTILE in text  # shown literally (header or note), not as an image
    tab.wait_for_timeout(1000)
    assert not [u for u in tab.requests if u.startswith("http://127.0.0.1:9")], tab.requests
    assert tab.locator(f'img[src="{PIXEL}"]').count() == 0
