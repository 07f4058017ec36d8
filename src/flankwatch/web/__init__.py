"""The web picture: a browser view of a run or a recording, served by ``flankwatch serve``."""
