"""Accuracy measures (OKS, PCK) against human keypoint ground truth; never imported by
runtime code."""
