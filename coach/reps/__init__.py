"""Reps in a set: rep types, segmentation (angle and distance methods), per-rep checks,
reference reps and DTW."""
