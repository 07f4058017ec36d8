"""Plot files in, track files out: the tracker on anyone's plots.

A plots file is Parquet (``.parquet``, ``.pq``) or CSV (``.csv``, with a header
row), one row per plot, in one of two layouts:

Cartesian (local ENU frame of the user's choice):

==============  ======  ======================================================
column          unit    meaning
==============  ======  ======================================================
time_s          s       time of the plot
sensor_id       -       integer id of the sensor
x_m, y_m        m       east and north position
z_m             m       up position; optional: without it the file is 2-D
sigma_m         m       standard deviation of each position coordinate
==============  ======  ======================================================

Polar (needs a sensors file with ``sensor_id, x_m, y_m, z_m`` in m, one row
per sensor):

===================  ======  ================================================
column               unit    meaning
===================  ======  ================================================
time_s               s       time of the plot
sensor_id            -       integer id of the sensor (in the sensors file)
range_m              m       slant range from the sensor
azimuth_deg          deg     clockwise from north
elevation_deg        deg     up from horizontal; optional (with its sigma):
                             without it the range is horizontal and the file 2-D
sigma_range_m        m       range noise standard deviation
sigma_azimuth_deg    deg     azimuth noise standard deviation
sigma_elevation_deg  deg     elevation noise standard deviation
===================  ======  ================================================

Polar plots are converted to Cartesian positions with a linearised covariance
(:func:`flankwatch.geo.polar.polar_to_cartesian`), the sensor's axes
taken parallel to the file's frame. A 2-D file is tracked in the plane: plots
get ``z = 0`` with a variance of 1e-6 m^2 and the tracker runs with
``planar=True``.

Values must be numbers (integers or floats; text that reads as one in a CSV
file) within these bounds, or the file is refused:

======================================  =======================================
column                                  allowed values
======================================  =======================================
time_s                                  -1e11 to 1e11 s
sensor_id                               an integer, 0 to 2147483647
x_m, y_m, z_m (plots and sensors)       -1e9 to 1e9 m
range_m                                 0 to 1e9 m
azimuth_deg                             -720 to 720 deg
elevation_deg                           -90 to 90 deg
sigma_m, sigma_range_m                  0.001 to 1e7 m
sigma_azimuth_deg, sigma_elevation_deg  1e-6 to 180 deg
======================================  =======================================

Other columns are not read, and are listed (:attr:`PlotFile.unread_columns`), but one
that is a column above in other letter case (``Z_m``) or a character off (``zm``) is refused,
as is ``sigma_elevation_deg`` without ``elevation_deg``: either would make the file 2-D.

Plots are grouped into batches of ``batch_s`` seconds, in time order. Every
problem with a file raises :class:`PlotFileError` naming the file, the row
(1-based, header and blank lines not counted) and the column: a file that is
empty or not CSV or Parquet, a CSV row of the wrong number of fields, a column
missing or given twice, a value that is empty, not a number, not finite or out
of bounds.

A tracks file is written to a temporary file beside it and renamed into place
once whole, so a failed run leaves no half-written file. Its folder must
exist (it is not created), and it must not be the plots file or the sensors
file the run reads.
"""

from __future__ import annotations

from flankwatch.io.plot_columns import (  # the bounds stay importable from here
    MAX_AZIMUTH_DEG,  # noqa: F401
    MAX_DISTANCE_M,  # noqa: F401
    MAX_ELEVATION_DEG,  # noqa: F401
    MAX_SENSOR_ID,  # noqa: F401
    MAX_TIME_S,  # noqa: F401
    SIGMA_DEG,  # noqa: F401
    SIGMA_M,  # noqa: F401
    PlotFileError,
)
from flankwatch.io.plot_reader import (
    MIN_BATCH_S,  # noqa: F401
    PLANAR_VARIANCE_M2,  # noqa: F401
    PlotFile,
    read_plots,
)
from flankwatch.io.track_writer import TrackFileSummary, track_file, write_tracks

__all__ = [
    "PlotFileError",
    "PlotFile",
    "TrackFileSummary",
    "read_plots",
    "write_tracks",
    "track_file",
]
