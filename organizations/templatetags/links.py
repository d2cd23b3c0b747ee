"""Template filters for addresses that came from files or forms.

    {% load links %}
    {% with href=organization.link|http_url %}{% if href %}<a href="{{ href }}">…</a>{% endif %}
    {% endwith %}

``http_url`` is the link when it is an http(s) address (``organizations.links``), else "" so
that the template shows the text without an <a>.
"""

from django import template

from organizations.links import safe_http_url

register = template.Library()


@register.filter
def http_url(value) -> str:
    return safe_http_url(value) or ""
