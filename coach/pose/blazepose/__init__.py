"""Every person in an image with the BlazePose models shipped in the mediapipe wheel, run
through ai-edge-litert (MediaPipe's legacy `Pose` keeps only its best detection)."""
