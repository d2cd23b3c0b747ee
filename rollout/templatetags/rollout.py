"""Template tags of the rollout app: the block on an organisation's page (district contacts and
the checklist progress; its data comes from ``summaries.organization_panel``) and the cells of a
row of the district matrix."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..summaries import organization_panel

register = template.Library()


@register.inclusion_tag("rollout/_organization_panel.html", takes_context=True)
def rollout_organization_panel(context, organization):
    request = context["request"]
    return {
        "organization": organization,
        "panel": organization_panel(request.user, organization),
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
