"""The template library every app loads for Russian wording: ``{% load ru %}``.

Registered under that name in settings.TEMPLATES (``libraries``), so organisations', rollout's
and monitoring's templates share it. It only wraps the leaf rules: plurals
(``sferum_portal.plurals``), grouped numbers (``sferum_portal.numbers``), dates as dd.mm.yyyy
and time zones (``sferum_portal.timezones``).
"""

import datetime as dt

from django import template

from .numbers import group_digits
from .params import to_date
from .plurals import plural_ru as _plural_ru
from .timezones import zone_label

register = template.Library()


@register.filter
def plural_ru(number, forms) -> str:
    """The noun agreeing with ``number``: ``{{ n|num }} {{ n|plural_ru:"шаг,шага,шагов" }}``
    (the forms for 1, 2 and 5; a tuple of the three works too). A non-number takes the last."""
    one, few, many = forms.split(",") if isinstance(forms, str) else forms
    try:
        return _plural_ru(int(number), one, few, many)
    except (TypeError, ValueError):
        return many


@register.filter
def num(value) -> str:
    """A count as people read it: ``12716`` → ``12 716``. Only for shown text, never inside an
    attribute or a URL."""
    return group_digits(value)


@register.filter
def time_zone_ru(name) -> str:
    """``Europe/Moscow`` → ``Москва, UTC+3``."""
    return zone_label(name)


@register.filter
def date_ru(value) -> str:
    """A date as dd.mm.yyyy, also from the ISO text a JSON field keeps (``2025-12-11`` →
    ``11.12.2025``); anything else is shown as it is."""
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    day = to_date(value) if isinstance(value, str) else None
    return f"{day:%d.%m.%Y}" if day else ("" if value is None else str(value))
