"""Per-user `st.session_state` keys, defined once here so pages and tests agree on them."""

from __future__ import annotations

# Photo page: the last analysed batch (ui.photo.PhotoBatch).
PHOTO_BATCH = "photo.batch"
# Photo page: the uploader widget (its value is the list of uploaded files).
PHOTO_UPLOADS = "photo.uploads"
# Live page: this browser tab's LiveRecorder (one stream lifecycle per tab).
LIVE_RECORDER = "live.recorder"
# Live page: the athlete / lift the next START records under (ui.live.LiveConfig).
LIVE_CONFIG = "live.config"
# Sessions page: the session open for review.
SESSIONS_OPEN = "sessions.open"
