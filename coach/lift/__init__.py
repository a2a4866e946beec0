"""The lift classifier (squat, bench, deadlift or unsure): keypoint features, its model
file and predictions."""
