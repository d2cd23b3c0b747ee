"""Splitting long id lists into batches that fit one SQL statement's parameters.

A leaf module: it imports no app of the project.
"""

from collections.abc import Iterator, Sequence

# SQLite's limit is 32,766 parameters per statement (999 before 3.32); PostgreSQL's 65,535.
BATCH = 900


def batches(ids: Sequence[int], size: int = BATCH) -> Iterator[Sequence[int]]:
    """``ids`` in consecutive slices of at most ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
