"""Sessions: a task trained end to end, compared, range-tested, played with, replayed.

The services the commands call; they sit above the tasks and views and never print."""
