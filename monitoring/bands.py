"""Colour bands and change arrows: the one place that judges a value against its target.

Thresholds come from settings (DASHBOARD_BANDS, DASHBOARD_ARROW_THRESHOLD_PP), and the same
band colours the pages and the Excel exports.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

GOOD, WARN, BAD, NONE = "good", "warn", "bad", "none"


def band(value: Decimal | None, target: Decimal | None) -> str:
    """good: at or above target; warn: within the warning margin below it; bad: further."""
    if value is None or target is None:
        return NONE
    if value >= target:
        return GOOD
    margin = Decimal(str(settings.DASHBOARD_BANDS["warn_below_target_pp"]))
    return WARN if value >= target - margin else BAD


def arrow(change: Decimal | None) -> str:
    """ "up", "down" or "" when the change is within the threshold (or unknown)."""
    if change is None:
        return ""
    threshold = Decimal(str(settings.DASHBOARD_ARROW_THRESHOLD_PP))
    if change > threshold:
        return "up"
    if change < -threshold:
        return "down"
    return ""


def band_colour(name: str) -> str:
    """The hex fill of a band, for Excel exports (the pages use the same via CSS classes)."""
    return settings.DASHBOARD_BAND_COLOURS[name]
