"""Studies over many runs: a scenario under several policies and seeds, on dask.distributed."""
