"""Links from files and forms: the one rule for which addresses the portal keeps and renders.

    safe_http_url(" https://sferum.ru/?p=org&id=1 ")  # -> "https://sferum.ru/?p=org&id=1"
    safe_http_url("javascript:alert(1)")             # -> None

Only absolute http(s) addresses with a host are links. Anything else (javascript:, data:,
vbscript:, file:, ftp:, a relative path, "//host", "http:\\\\host") is not, and neither is text
with whitespace or control characters inside: browsers drop tabs and newlines from an href,
so " java\\tscript:" would run as "javascript:". The importer, the admin's import, the model's
validation and the templates' ``http_url`` filter all ask this module. A leaf: no Django and no
app, so the importer's pure parser can use it (here rather than in ``sferum_portal``, whose
package loads Celery and with it Django).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

HTTP_SCHEMES = frozenset({"http", "https"})
# Any whitespace or control character (C0, DEL, C1) and the invisible format characters
# (zero-width space and joiners, bidi controls, BOM) that make a link read as something else.
_HIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def safe_http_url(value: object) -> str | None:
    """The address without surrounding spaces when it is an absolute http(s) link, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _HIDDEN.search(text) or "\\" in text:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # an unbalanced "[" in the host, a bad port
        return None
    if parts.scheme.lower() not in HTTP_SCHEMES or not host:
        return None
    return text


def is_http_url(value: object) -> bool:
    return safe_http_url(value) is not None
