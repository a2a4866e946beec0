"""Synthetic lifters and cameras for training data, gold making and tests; never
imported by runtime code."""
