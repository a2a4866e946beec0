"""Adult body proportions, defined once: Drillis & Contini (1966) fractions of standing height.

Source: R. Drillis and R. Contini, "Body segment parameters" (1966), as reproduced in
D. A. Winter, "Biomechanics and Motor Control of Human Movement" (Fig. 4.1).
"""

from __future__ import annotations

# Heights above the floor as fractions of standing height H.
SHOULDER_HEIGHT_FRAC = 0.818  # acromion
HIP_HEIGHT_FRAC = 0.530  # greater trochanter
KNEE_HEIGHT_FRAC = 0.285
ANKLE_HEIGHT_FRAC = 0.039
# Segment lengths and breadths as fractions of H.
TRUNK_FRAC = SHOULDER_HEIGHT_FRAC - HIP_HEIGHT_FRAC
THIGH_FRAC = HIP_HEIGHT_FRAC - KNEE_HEIGHT_FRAC
SHANK_FRAC = KNEE_HEIGHT_FRAC - ANKLE_HEIGHT_FRAC
UPPER_ARM_FRAC = 0.186
FOREARM_FRAC = 0.146
BIACROMIAL_FRAC = 0.259
HIP_BREADTH_FRAC = 0.191
# Where COCO annotators put shoulder and hip points (near the joint centres, medial to the
# acromion and the outer hip): our modelling choice, not a published ratio.
SHOULDER_POINT_SHARE = 0.85
HIP_POINT_SHARE = 0.65
# The typical 1.75 m adult the view estimate measures against: the fractions above times the
# height, rounded to the half-centimetre (tests/core/test_body.py keeps them within 1 cm).
# Shoulder and hip widths are between the COCO points (the point shares above).
TYPICAL_HEIGHT_M = 1.75
TYPICAL_THIGH_M = 0.43
TYPICAL_SHANK_M = 0.43
TYPICAL_UPPER_ARM_M = 0.325
TYPICAL_FOREARM_M = 0.255
TYPICAL_TORSO_M = 0.50  # mid-shoulder to mid-hip
TYPICAL_SHOULDER_WIDTH_M = 0.385
TYPICAL_HIP_WIDTH_M = 0.22
