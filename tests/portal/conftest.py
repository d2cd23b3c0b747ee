"""Fixtures of the composition layer's tests: the monitoring tests' three-week scenario."""

from tests.monitoring.conftest import scenario

__all__ = ["scenario"]
