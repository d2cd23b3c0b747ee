"""Template tags of the rollout app: the block on an organisation's page (district contacts and
the checklist progress; its data comes from ``summaries.organization_panel``), the next steps of
an organisation below target (``next_steps``), the cells of a row of the district matrix, and
``linkify`` for the how-to texts of steps."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ..next_steps import next_steps_for_page
from ..summaries import organization_panel

register = template.Library()


@register.inclusion_tag("rollout/_organization_panel.html", takes_context=True)
def rollout_organization_panel(context, organization):
    request = context["request"]
    return {
        "organization": organization,
        "panel": organization_panel(request.user, organization),
    }


@register.inclusion_tag("rollout/_next_steps.html", takes_context=True)
def rollout_next_steps(context, organization, board):
    """On an organisation's dashboard: the open steps that would move its figures below target
    (``next_steps``); nothing when the week has none below target or no data."""
    request = context["request"]
    return {
        "organization": organization,
        "request": request,
        "next_steps": next_steps_for_page(request.user, organization, board.kpis, board.current),
    }


@register.filter
def percent_of(done, total) -> int:
    """{{ done|percent_of:total }} → a whole percent, 0 when there is nothing to do."""
    try:
        return round(100 * int(done) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0


@register.simple_tag(takes_context=True)
def matrix_cells(context, progress, row):
    """A matrix row's cells. Built here rather than through template nodes: 300 × 30 cells that
    way would cost most of the page's time; most cells of a column look alike, so their markup
    is kept for the rest of the page (the render context lives as long as the page's render)."""
    memo = context.render_context.setdefault("matrix_cells", {})
    parts = []
    for index, cell in enumerate(row.cells):
        key = (index, cell.state, cell.text, cell.detail, cell.due_week)
        html = memo.get(key)
        if html is None:
            html = memo[key] = format_html(
                '<td class="mx mx-{}{}" title="{}: {}">{}</td>',
                cell.state,
                " mx-week" if cell.due_week else "",
                progress.columns[index].label,
                cell.label,
                cell.text,
            )
        parts.append(html)
    return mark_safe("".join(parts))  # each part escaped by format_html


# A full URL, or a bare address of the sites the source documents point to (max.ru/sferum_help,
# sferum.ru/spravka, web.max.ru, prof.sferum.ru/start_docs, school.mos.ru/...). Not after "@"
# or a letter, so that e-mail addresses and words stay text.
_ADDRESS = re.compile(
    r"(?<![\w@./-])("
    r"https?://[^\s<>\"'«»]+"
    r"|(?:[a-z0-9-]+\.)*(?:max|sferum|mos|vk)\.(?:ru|com)(?:/[^\s<>\"'«»]*)?"
    r")",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than the address.
_TRAILING = ".,;:!?)"


@register.filter(is_safe=True)
def linkify(text) -> str:
    """Escape ``text`` and turn its web addresses into links (bare ones get https://); line
    breaks become <br>."""
    text = "" if text is None else str(text)
    parts, last = [], 0
    for match in _ADDRESS.finditer(text):
        address = match.group(1)
        tail = ""
        while address and address[-1] in _TRAILING:
            tail = address[-1] + tail
            address = address[:-1]
        if not address:
            continue
        parts.append(escape(text[last : match.start(1)]))
        href = address if "://" in address else f"https://{address}"
        parts.append(format_html('<a href="{}" rel="noopener">{}</a>', href, address))
        parts.append(escape(tail))
        last = match.end(1)
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # every part escaped above
