"""Content-Security-Policy: every page carries the header (scripts, styles, images only from our
own origin), and no template has an inline script, an on…= handler, a javascript: URL or a
style attribute that the policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
APP_TEMPLATE_DIRS = [
    Path(settings.BASE_DIR) / app / "templates"
    for app in ("organizations", "monitoring", "rollout")
]

# <script …> with no src attribute, and not a data block (json_script writes application/json).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
# A <style> element gets in only by the request's nonce (band_styles).
INLINE_STYLE = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I)


def template_files() -> list[Path]:
    dirs = [TEMPLATES, *(d for d in APP_TEMPLATE_DIRS if d.exists())]
    return sorted(p for d in dirs for p in d.rglob("*") if p.suffix in {".html", ".txt"})


def python_html_sources() -> list[Path]:
    """Template tags build some markup in Python (league rows, change arrows)."""
    return sorted(Path(settings.BASE_DIR).glob("*/templatetags/*.py"))


def offences(text: str) -> list[str]:
    found = []
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("on…= handler", HANDLER),
        ("javascript: URL", JS_URL),
        ("style attribute", STYLE_ATTR),
        ("<style> without nonce", INLINE_STYLE),
    ):
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    return found


def test_the_scanner_finds_what_the_policy_blocks():
    assert offences("<script>alert(1)</script>")
    assert offences('<button type="button" onclick="print()">')
    assert offences('<select name="w" onchange="this.form.submit()">')
    assert offences('<a href="javascript:void(0)">')
    assert offences('<div class="x" style="width: 5%">')
    assert offences("<style>body{color:red}</style>")
    assert not offences('<style nonce="{}">:root{{{}}}</style>')
    assert not offences('<script src="/static/js/upload.js"></script>')
    assert not offences('<script id="d" type="application/json">[1]</script>')
    assert not offences('<select data-autosubmit aria-controls="x" content="y">')


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_no_template_has_inline_script_handlers_or_styles(path):
    assert offences(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", python_html_sources(), ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_no_template_tag_builds_inline_script_handlers_or_styles(path):
    assert offences(path.read_text(encoding="utf-8")) == []


def assert_policy(response):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], (response.request["PATH_INFO"], policy)
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    return directives


def get_following(client, url):
    """GET and follow redirects, checking the header on every response on the way."""
    for _ in range(5):
        response = client.get(url)
        assert_policy(response)
        if response.status_code not in (301, 302):
            return response
        url = response["Location"]
    raise AssertionError(f"too many redirects from {url}")


def parameterless_urls() -> list[str]:
    found = []

    def walk(resolver, prefix: str, namespaces: tuple[str, ...]):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # walked below with a staff user
                spaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern, prefix, spaces)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and not pattern.pattern.regex.groups
            ):
                if pattern.name == "logout":
                    continue  # POST only
                found.append(reverse(":".join((*namespaces, pattern.name))))

    walk(get_resolver(), "", ())
    return found


def test_every_page_without_an_id_carries_the_policy_logged_out_and_in(world, client):
    urls = parameterless_urls()
    assert reverse("login") in urls and reverse("password_reset") in urls
    for url in urls:
        get_following(client, url)
    client.force_login(world.coordinator)
    for url in urls:
        get_following(client, url)


def test_each_personas_pages_carry_the_policy(world, client):
    pages = [
        reverse("monitoring:region_dashboard", args=[world.region.pk]),
        reverse("portal:municipality_dashboard", args=[world.municipality.pk]),
        reverse("monitoring:organization_dashboard", args=[world.school.pk]),
        reverse("organizations:region", args=[world.region.pk]),
        reverse("organizations:municipality", args=[world.municipality.pk]),
        reverse("organizations:organization", args=[world.school.pk]),
        reverse("rollout:district", args=[world.municipality.pk]),
        reverse("rollout:organization", args=[world.school.pk]),
        reverse("rollout:my_steps"),
        "/no-such-page/",
    ]
    for persona in world.personas().values():
        client.force_login(persona)
        get_following(client, reverse("home"))
        for url in pages:
            get_following(client, url)  # 200, 403 and 404 pages alike


def test_the_dashboards_band_colours_come_in_by_nonce_only(world, client):
    client.force_login(world.coordinator)
    response = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    directives = assert_policy(response)
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert directives["style-src"] == ["'self'", f"'nonce-{nonce}'"]


def test_the_admin_gets_only_the_hashes_of_its_inline_attributes(world, client):
    client.force_login(world.operator)
    for url in (
        reverse("admin:index"),
        reverse("admin:organizations_region_changelist"),
        reverse("admin:organizations_region_export"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        directives = assert_policy(response)
        assert directives["script-src"][:2] == ["'self'", "'unsafe-hashes'"]
        assert all(s.startswith("'sha256-") for s in directives["script-src"][2:])
    outside = assert_policy(client.get(reverse("login")))
    assert outside["script-src"] == ["'self'"]
