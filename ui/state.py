"""Per-user `st.session_state` keys, defined once here so pages and tests agree on them."""

from __future__ import annotations

# Photo page: the last analysed batch (coach.pipeline.photo_batch.PhotoBatch).
PHOTO_BATCH = "photo.batch"
# Photo page: the uploader widget (its value is the list of uploaded files).
PHOTO_UPLOADS = "photo.uploads"
# Live page: this browser tab's LiveRecorder (one stream lifecycle per tab).
LIVE_RECORDER = "live.recorder"
# Live page: the athlete / lift the next START records under (ui.live.LiveConfig).
LIVE_CONFIG = "live.config"
# Sessions page: the session open for review.
SESSIONS_OPEN = "sessions.open"
# Live page: whether to speak the count and cue, and what was spoken last ({count, cue}).
LIVE_SPEAK = "live.speak"
LIVE_SPOKEN = "live.spoken"
# Video page: the uploaded clip, the coach's reference clip, and the last analysed set
# (coach.pipeline.clip_session.VideoResult).
VIDEO_UPLOAD = "video.upload"
VIDEO_REFERENCE_UPLOAD = "video.reference_upload"
VIDEO_RESULT = "video.result"
# Video page: (job id, upload name) of this tab's analysis running in the background
# (coach.pipeline.jobs, ui.video_jobs), and the line saying why the last one failed.
VIDEO_JOB = "video.job"
VIDEO_FAILED = "video.failed"
# Sign-in: the signed-in coach.auth.viewer.Viewer of this browser tab (absent: signed out).
AUTH_VIEWER = "auth.viewer"
# Photo page: bumped after a batch is saved, so the uploader starts empty (a new widget key).
PHOTO_UPLOADS_ROUND = "photo.uploads_round"
# Live page: whether the "pick the lifter" expander is open, and what the last click on the live
# view did: (stream number, coach.live.preview.LifterChoice), shown only for that stream.
LIVE_PICK_OPEN = "live.pick.open"
LIVE_PICK_RESULT = "live.pick.result"
