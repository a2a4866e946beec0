"""Shared types and maths: the Keypoints schema, joints, errors, settings, angles,
smoothing, lifts and body proportions."""
