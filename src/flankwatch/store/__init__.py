"""Recordings: a run's tables as Parquet in one folder, queried with DuckDB."""
