"""Multi-sensor multi-target tracking: plot batches in, track batches out, and its metrics.

The tracker is :mod:`~flankwatch.track.tracker` (``build_tracker``), its settings
:mod:`~flankwatch.track.settings`, its output :mod:`~flankwatch.track.output` and the
metrics :mod:`~flankwatch.track.metrics`. Nothing is imported here, so that reading or
writing track columns does not load the tracker's compiled kernels.
"""
