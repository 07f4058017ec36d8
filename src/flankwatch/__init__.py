"""flankwatch: air defence of a border airspace, from sensors to alerts."""

__version__ = "0.1.0"
