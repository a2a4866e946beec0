"""Drawing on images: skeletons, flag overlays, correction arrows, JPEG encoding."""
