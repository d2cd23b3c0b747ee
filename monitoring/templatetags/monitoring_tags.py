"""Template filters for dashboards: weeks, percentages, changes and colour bands (plurals and
grouped numbers are the shared ``{% load ru %}`` library)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from monitoring.bands import arrow
from monitoring.comparison import WINDOW_WEEKS
from monitoring.permissions import can_upload_statistics
from sferum_portal import weeks
from sferum_portal.numbers import group_digits

register = template.Library()


@register.filter
def week_label(monday: dt.date | None) -> str:
    """The week's one label (``weeks.week_label``): 24.11–30.11.2025, 29.12.2025–04.01.2026."""
    return weeks.week_label(monday) if monday else "—"


@register.filter
def iso_week(monday: dt.date | None) -> str:
    return weeks.iso_week_label(monday) if monday else ""


@register.filter
def may_upload_statistics(user) -> bool:
    """For links to the upload page: shown to those who may upload (the page refuses others)."""
    return user.is_authenticated and can_upload_statistics(user)


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


@register.simple_tag(takes_context=True)
def band_styles(context) -> str:
    """CSS custom properties for the colour bands, from settings (one source for pages and
    Excel). The Content-Security-Policy lets this one style element in by the request's nonce."""
    colours = settings.DASHBOARD_BAND_COLOURS
    rules = "".join(f"--band-{name}:#{hex_};" for name, hex_ in colours.items())
    nonce = getattr(context.get("request"), "csp_nonce", "")
    return format_html('<style nonce="{}">:root{{{}}}</style>', nonce, rules)


@register.filter
def pct_class(value) -> str:
    """The CSS class that draws a bar of this many per cent (pct-0 … pct-100 in portal.css):
    widths are classes, not style attributes, under the Content-Security-Policy."""
    try:
        number = round(float(value))
    except (TypeError, ValueError):
        number = 0
    return f"pct-{min(max(number, 0), 100)}"


@register.filter
def has_values(points, key: str) -> bool:
    """Whether any point of a chart's data (a list of dicts) has a value under key: the trend
    chart and its data table show the stage-1 target lines only when some week has them."""
    return any(point.get(key) is not None for point in points or ())


def _data_value(value, default: str) -> str:
    return default if value is None else str(value)


def _place_cell(place) -> str:
    if not place:
        return '<td class="num text-secondary" data-value="999999">—</td>'
    return f'<td class="num" data-value="{place[0]}">{place[0]} из {group_digits(place[1])}</td>'


def _weeks_cell(record) -> str:
    """«6 из 8» weeks on target, said in full to a screen reader; «—» without a value."""
    if record is None or not record.with_value:
        return '<td class="num text-secondary" data-value="-1">—</td>'
    return (
        f'<td class="num" data-value="{record.on_target}">{record.on_target} из {WINDOW_WEEKS}'
        f'<span class="visually-hidden"> недель у цели из последних {WINDOW_WEEKS}</span></td>'
    )


def _change_cell(change) -> str:
    return f'<td class="num" data-value="{_data_value(change, "0")}">{pp_change(change)}</td>'


@register.simple_tag
def league_rows(rows, *, link_name: str, week, with_type: bool = False, extra_column=""):
    """The league table's body. Built here rather than by template nodes: 120 rows of ten
    cells through the template engine took a third of a district page's time. The cells use
    the filters above, so the page and this markup format alike. Each row: its name (the sticky
    first column), its place, then each headline rate with its change over the week and over 4
    weeks and its weeks on target of the last 8 (monitoring.comparison)."""
    if not rows:
        columns = 14 if extra_column else 13
        return mark_safe(
            f'<tr><td colspan="{columns}" class="text-secondary">Ничего не найдено.</td></tr>'
        )
    query = "?week=" + iso_week(week)
    html = []
    for row in rows:
        staff = row.kpis["staff_activity"]
        sp = row.kpis["students_parents_activity"]
        reg = row.kpis["teachers_registered"]
        steady = getattr(row, "steady", None) or {}
        v = row.value_row
        name = conditional_escape(row.name)
        cells = [
            "<tr>" if v else '<tr class="text-secondary">',
            f'<th scope="row" class="fw-normal" data-value="{name}">'
            f'<a href="{reverse(link_name, args=[row.pk])}{query}">{name}</a></th>',
            _place_cell(getattr(row, "place", None)),
        ]
        if with_type:
            org_type = conditional_escape(row.extra.get("org_type", ""))
            outside = (
                ' <span class="badge text-bg-light border">не в показателях</span>'
                if row.extra.get("counted") is False
                else ""
            )
            cells.append(f'<td data-value="{org_type}">{org_type}{outside}</td>')
        else:
            with_data = v.organizations_with_data if v else 0
            shown = (
                f"{group_digits(v.organizations_with_data)} из {group_digits(v.organizations)}"
                if v
                else "—"
            )
            cells.append(f'<td class="num" data-value="{with_data}">{shown}</td>')
        for code, kpi in (("staff_activity", staff), ("students_parents_activity", sp), ("", reg)):
            partial = (
                ' <span class="badge text-bg-warning" title="неполные данные">неполн.</span>'
                if kpi.partial and kpi.value is not None
                else ""
            )
            cells.append(
                f'<td class="num band-{kpi.band}" data-value="{_data_value(kpi.value, "-1")}">'
                f"{pct(kpi.value)}{partial}</td>"
            )
            if code:
                record = steady.get(code)
                cells.append(_change_cell(kpi.change))
                cells.append(_change_cell(record.change if record else None))
                cells.append(_weeks_cell(record))
        gap = staff.gap_people
        cells.append(
            f'<td class="num" data-value="{_data_value(gap, "0")}">'
            f"{'—' if gap is None else group_digits(gap)}</td>"
        )
        if extra_column:
            progress = row.extra.get("progress_pct")
            shown = "—" if progress is None else f"{progress} %"
            cells.append(f'<td class="num" data-value="{_data_value(progress, "-1")}">{shown}</td>')
        cells.append("</tr>")
        html.append("".join(cells))
    return mark_safe("\n".join(html))
