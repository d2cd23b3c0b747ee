"""Monitoring pages: statistics uploads, targets and dashboards."""
