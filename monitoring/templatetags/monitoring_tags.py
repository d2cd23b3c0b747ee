"""Template filters for dashboards: weeks, percentages, changes and colour bands."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from monitoring.bands import arrow
from monitoring.weekly import iso_week_label

register = template.Library()


@register.filter
def week_label(monday: dt.date | None) -> str:
    """24.11–30.11.2025"""
    if not monday:
        return "—"
    sunday = monday + dt.timedelta(days=6)
    return f"{monday:%d.%m}–{sunday:%d.%m.%Y}"


@register.filter
def iso_week(monday: dt.date | None) -> str:
    return iso_week_label(monday) if monday else ""


def _number(value: Decimal, digits: int) -> str:
    """Rounded half up, then localised (Django's number_format truncates)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return number_format(rounded, digits)


@register.filter
def pct(value: Decimal | None, digits: int = 1) -> str:
    if value is None:
        return "нет данных"
    return f"{_number(value, digits)} %"


@register.filter
def pp_change(value: Decimal | None) -> str:
    """A change in percentage points with its arrow (only beyond the threshold)."""
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    text = f"{sign}{_number(abs(value), 1)} п. п."
    direction = arrow(value)
    if not direction:
        return format_html('<span class="change text-secondary">{}</span>', text)
    symbol, css = ("▲", "text-success") if direction == "up" else ("▼", "text-danger")
    label = "рост" if direction == "up" else "снижение"
    return format_html(
        '<span class="change {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span> {}</span>',
        css,
        symbol,
        label,
        text,
    )


@register.simple_tag
def band_styles() -> str:
    """CSS custom properties for the colour bands, from settings (one source for pages and
    Excel)."""
    colours = settings.DASHBOARD_BAND_COLOURS
    rules = "".join(f"--band-{name}:#{hex_};" for name, hex_ in colours.items())
    return mark_safe(f"<style>:root{{{rules}}}</style>")
