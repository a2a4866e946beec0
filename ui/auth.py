"""Sign-in for the dashboard: who is this browser tab, before any page runs.

Three modes, picked in this order:
1. LIFTCOACH_SINGLE_USER=1: no sign-in, for one lifter at home; refused unless the server
   listens on localhost only and the browser is on this computer.
2. An OpenID Connect provider in .streamlit/secrets.toml ([auth]): Streamlit's `st.login`
   (with Authlib); the first person to sign in becomes admin.
3. Otherwise built-in accounts in the database: the first visit creates the admin account,
   then everyone signs in with a username and password (Argon2id hashes).

`app.py` calls `signed_in()` and, when nobody is, `sign_in()`; pages get the viewer's store
from `ui.loaders.store()`, which refuses to work for a tab where nobody is signed in.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import streamlit as st

from coach.auth.viewer import Viewer
from coach.core.errors import LiftCoachError
from coach.store.accounts import Accounts
from ui import loaders, state

SIGN_IN_FAILED = "Wrong username or password."
LOOPBACK_ADDRESSES = {"127.0.0.1", "localhost", "::1"}


def signed_in() -> Viewer | None:
    """The signed-in viewer of this tab, or None (nothing is drawn, except the single-user
    refusal, which stops the run)."""
    settings = loaders.app_settings()
    if settings.single_user:
        _require_this_computer()
        st.session_state[state.AUTH_VIEWER] = Viewer.operator()
        return Viewer.operator()
    try:
        accounts = Accounts(loaders.database())
        viewer = _oidc_known(accounts) if _oidc_configured() else _password_known(accounts)
    except LiftCoachError as exc:
        st.error(str(exc))
        st.stop()
    if viewer is None:
        st.session_state.pop(state.AUTH_VIEWER, None)
    else:
        st.session_state[state.AUTH_VIEWER] = viewer
    return viewer


def sign_in() -> None:
    """Draw the sign-in (or first-admin, or identity-provider) form, then stop the run.

    `app.py` has already registered the pages (hidden), so the address asked for, with its
    query, is the page that opens once the form succeeds.
    """
    try:
        accounts = Accounts(loaders.database())
        if _oidc_configured():
            _oidc_button()
        elif not accounts.has_accounts():
            _first_admin_form(accounts)
        else:
            _sign_in_form(accounts)
    except LiftCoachError as exc:
        st.error(str(exc))
    st.stop()


def sidebar(viewer: Viewer) -> None:
    """Who is signed in (as plain text) and a sign-out button."""
    if viewer.user_id is None:
        st.sidebar.caption("Single-user mode: no sign-in (this computer only).")
        return
    st.sidebar.text(f"Signed in as {viewer.username} ({viewer.role.value})")
    if st.sidebar.button("Sign out", key="auth.sign_out"):
        st.session_state.pop(state.AUTH_VIEWER, None)
        if _oidc_configured():
            st.logout()
        st.rerun()


def _require_this_computer() -> None:
    address = str(st.get_option("server.address") or "")
    client = st.context.ip_address  # None when the browser is on this computer
    remote = client if isinstance(client, str) and client else None
    if address not in LOOPBACK_ADDRESSES or (remote is not None and not _loopback(remote)):
        st.error(
            "LIFTCOACH_SINGLE_USER=1 skips sign-in, so it serves only this computer: start the "
            "app with --server.address 127.0.0.1 and open it on this computer, or unset "
            "LIFTCOACH_SINGLE_USER to use accounts."
        )
        st.stop()


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _password_known(accounts: Accounts) -> Viewer | None:
    known: Viewer | None = st.session_state.get(state.AUTH_VIEWER)
    if known is None or known.user_id is None:
        return None
    return accounts.refresh(known)  # a disabled account is signed out at once


def _sign_in_form(accounts: Accounts) -> None:
    st.title("🏋️ LiftCoach")
    with st.form("auth.sign_in"):
        username = st.text_input("Username", key="auth.username")
        password = st.text_input("Password", type="password", key="auth.password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        viewer = accounts.authenticate(username, password)
        if viewer is None:
            st.error(SIGN_IN_FAILED)
            return
        st.session_state[state.AUTH_VIEWER] = viewer
        st.rerun()


def _first_admin_form(accounts: Accounts) -> None:
    st.title("🏋️ Set up LiftCoach")
    st.info("No account exists yet. Create the first admin account; the admin then creates "
            "coaches, athletes and teams on the Accounts page.")
    with st.form("auth.first_admin"):
        username = st.text_input("Admin username", key="auth.new_username")
        password = st.text_input("Password (10 characters or more)", type="password",
                                 key="auth.new_password")
        again = st.text_input("Password again", type="password", key="auth.new_password2")
        submitted = st.form_submit_button("Create the admin account", type="primary")
    if submitted:
        if password != again:
            st.error("The two passwords differ.")
            return
        try:
            viewer = accounts.create_first_admin(username, password)
        except LiftCoachError as exc:
            st.error(str(exc))
            return
        st.session_state[state.AUTH_VIEWER] = viewer
        st.rerun()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return False


def _oidc_known(accounts: Accounts) -> Viewer | None:
    if not st.user.get("is_logged_in"):
        return None
    subject = f"{st.user.get('iss', '')}|{st.user.get('sub', '')}"
    name = str(st.user.get("email") or st.user.get("name") or "user")
    viewer = accounts.oidc_viewer(subject, name)
    if viewer is None:
        st.error("This account is disabled; ask an admin.")
        st.stop()
    return viewer


def _oidc_button() -> None:
    st.title("🏋️ LiftCoach")
    if st.button("Sign in", type="primary", key="auth.oidc"):
        st.login(_provider(st.secrets["auth"]))


def _provider(auth: Any) -> str | None:
    """None for one unnamed provider ([auth] with client_id), else the first [auth.NAME]."""
    if "client_id" in auth:
        return None
    named = [k for k in auth if hasattr(auth[k], "keys")]
    return named[0] if named else None


def athlete_input(container: Any, key: str) -> str:
    """Whom a new session is saved for: an athlete saves for themself, a coach picks one of
    their athletes, an admin (or single-user mode) types a name."""
    viewer: Viewer | None = st.session_state.get(state.AUTH_VIEWER)
    if viewer is None or viewer.is_admin:
        return str(container.text_input("Athlete", key=key, placeholder="e.g. Ada"))
    if viewer.is_athlete:
        container.text_input("Athlete", value=viewer.username, disabled=True, key=key)
        return viewer.username
    try:
        names = [name for _, name in loaders.store().athletes()]
    except LiftCoachError as exc:
        st.error(str(exc))
        st.stop()
    return str(container.selectbox("Athlete", names, key=key) or "")
