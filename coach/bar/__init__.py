"""The barbell: find the plate (the bar's end) per frame, track it through a clip, and measure
each rep's bar path and concentric speed."""
