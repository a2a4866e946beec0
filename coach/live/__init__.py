"""The webcam engine: per-frame analysis, live state, the rep tracker, the session
writer and the recorder."""
