"""Numbers the Russian way: digits grouped by threes with a no-break space (12 716, 52 295).

The one rule for every count a person reads (tiles, tables, messages). Only the text shown is
grouped: ids and numbers in URLs, attributes and data-value cells are written plain, so this
is a filter applied where a count is shown, not the USE_THOUSAND_SEPARATOR setting (which would
group every number a template prints, ids in links included).

A leaf module: it imports no app of the project.
"""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"  # the separator Django's own Russian formats use


def group_digits(value) -> str:
    """``12716`` → ``12 716`` (no-break space). Whole numbers only: text, fractions and None are
    returned as text unchanged (None as an empty string)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        return str(value)
    return f"{int(value):,}".replace(",", NBSP).replace("-", "−")
