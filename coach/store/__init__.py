"""Session storage: athletes, sessions, frames, reps, flags and coach verdicts (SQLAlchemy 2).

SQLite under LIFTCOACH_DATA by default, PostgreSQL through DATABASE_URL:

    store = Store.open(settings.resolved_database_url, viewer=Viewer.operator())  # .store
    athlete_id = store.get_or_create_athlete("Ada")
    session_id = store.start_session(athlete_id, "live", lift="squat", backend="mediapipe")
    store.add_frame(session_id, index=0, t_s=0.0, keypoints=kp, angles_deg={"left_knee": 92.0})
    store.end_session(session_id)

Everything raised on purpose is a `coach.core.errors.StorageError`.
"""
