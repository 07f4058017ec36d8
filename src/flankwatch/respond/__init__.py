"""respond: the defensive response."""
