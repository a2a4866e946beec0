"""Photo and video decoding and validation: EXIF orientation, size, duration and frame caps."""
