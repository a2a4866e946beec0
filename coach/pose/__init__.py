"""Pose backends behind one Protocol (MediaPipe, ViTPose, replay) and the choice of the
lifter among the people found."""
