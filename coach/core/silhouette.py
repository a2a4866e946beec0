"""Where a person's body is in an image: a pose model's segmentation of one person.

A segmentation comes on the model's own crop of the person (MediaPipe's landmark model gives a
256x256 mask of its rotated ROI; its tracking graph a mask of the whole frame), so it is kept
there with the affine map from crop pixels to image pixels. It lives one frame: whoever needs
it measures it at once (`coach.form.back` reads the back's outline) and keeps the number.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

# MediaPipe's own cut between person and background (TensorsToSegmentationCalculator's
# sigmoid output, thresholded at 0.5 in its selfie-segmentation and pose examples).
INSIDE_PROBABILITY = 0.5


@dataclass(frozen=True)
class Silhouette:
    """`prob`: (H, W) float32 in [0, 1], the chance each crop pixel is the person;
    `crop_to_image`: (2, 3) affine map from crop pixels to image pixels (the identity for a
    segmentation of the whole image)."""

    prob: NDArray[np.float32]
    crop_to_image: NDArray[np.float64]

    def scaled(self, factor: float) -> Silhouette:
        """The same silhouette for the image resized by `factor` (image px * factor)."""
        return Silhouette(self.prob, self.crop_to_image * factor)

    def inside(self, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        """(N,) whether each (N, 2) image point lies on the person; points off the crop or
        NaN are not."""
        to_crop = cv2.invertAffineTransform(self.crop_to_image)
        pts = np.asarray(xy, np.float64) @ to_crop[:, :2].T + to_crop[:, 2]
        height, width = self.prob.shape
        finite = np.isfinite(pts).all(axis=1)
        ij = np.where(finite[:, None], np.floor(pts), -1).astype(np.int64)
        on = finite & (ij >= 0).all(axis=1) & (ij[:, 0] < width) & (ij[:, 1] < height)
        out = np.zeros(len(pts), dtype=bool)
        out[on] = self.prob[ij[on, 1], ij[on, 0]] >= INSIDE_PROBABILITY
        return out


IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def whole_image(prob: NDArray[np.float32]) -> Silhouette:
    """A segmentation of the whole image, in its own pixels."""
    return Silhouette(prob, IDENTITY)
