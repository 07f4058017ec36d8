"""Scenarios: the validated scenario schema, the catalogues and the built-in scenarios."""
