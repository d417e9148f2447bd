"""Campaign planning has a queue (and workers) of its own."""

PLANNING_QUEUE = "fumin:planning"
