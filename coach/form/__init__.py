"""Form rules as data, the camera view, the lift phase, the gold poses and their schema,
pair scoring and the vote."""
