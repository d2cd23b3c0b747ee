"""Benchmarks on a generated national dataset (PostgreSQL). Run with ``make bench``; they print
figures, they are not timed tests."""
