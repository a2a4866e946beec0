"""The shared pose service: a Ray Serve application (MediaPipe on CPU replicas; RT-DETR and
ViTPose on GPU replicas with dynamic batching) that many app instances use over HTTP through
`coach.pose.remote`. Start it with `python -m coach.serve` (see the README). Nothing in the app
imports this package; importing it does not import Ray (the submodules that need Ray do)."""
