"""Who is asking: the signed-in `Viewer` and their role, password hashing, and account names.

Pure library code (no database, no Streamlit): `coach.store` filters every query by a `Viewer`,
and `ui.auth` turns a sign-in into one.
"""
