"""Odd query parameters never break a page: every page of the portal, asked by a person who may
see it, with every query parameter it reads (and a few it does not) set to values that look like
numbers, dates or weeks and are not usable ones: superscript, full-width and Arabic-Indic digits,
numbers too big for the database, dates and weeks out of range, an empty value, a very long
value, a NUL byte, repeated keys. Each answers as a page (2xx, a redirect, 403/404), never 5xx.

PAGES is the one table: a URL of the project that it does not list, or list as skipped, fails
``test_every_page_of_the_project_is_listed``, so a new page cannot slip past the walk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from monitoring import services
from rollout.models import ChecklistTemplate
from rollout.templates_data import templates_load
from tests.monitoring.conftest import export_file, export_row
from tests.security.test_access_walk import SKIPPED_NAMESPACES, Objects

ODD_VALUES = (
    "²",
    "¹²³",
    "１２３",  # full-width digits
    "١٢٣",  # Arabic-Indic digits
    "1" * 30,
    "-1",
    "-" + "9" * 25,
    "0",
    "1.5",
    "1e309",
    "nan",
    "9999-12-31",
    "31.12.9999",
    "0001-01-01",
    "01.01.0001",
    "2025-02-30",
    "2025-W99",
    "9999-W01",
    "9999-W52",
    "0001-W01",
    "2025-W００",
    "",
    " ",
    "x" * 5000,
    "9" * 5000,
    "\x00",
    "1\x00",
    "1,²,３,-1," + "9" * 30,
    "<script>",
    "%",
)
UNKNOWN_PARAMS = ("o", "per_page")


@dataclass(frozen=True)
class Page:
    """``target``: the kind of object in the URL (see test_access_walk.Objects), None for a page
    without one; ``params``: the query parameters the page reads; ``persona``: who asks;
    ``opens``: what the page answers without parameters when that is not 2xx or 3xx."""

    target: str | None
    params: tuple[str, ...] = ()
    persona: str = "coordinator"
    extra: tuple[tuple[str, str], ...] = ()
    opens: int | None = None


PAGES: dict[str, Page] = {
    "home": Page(None),
    "login": Page(None, ("next",), persona="anonymous"),
    "password_change": Page(None),
    "password_change_done": Page(None),
    "password_reset": Page(None, persona="anonymous"),
    "password_reset_done": Page(None, persona="anonymous"),
    "password_reset_complete": Page(None, persona="anonymous"),
    "healthz": Page(None, persona="anonymous"),
    "favicon": Page(None, persona="anonymous"),
    # registry
    "organizations:region_list": Page(None),
    "organizations:organization_search": Page(None, ("q", "region", "page")),
    "organizations:region": Page("region"),
    "organizations:municipality": Page("municipality", ("type", "q", "page")),
    "organizations:organization": Page("organization"),
    "organizations:person_invite": Page("organization"),
    "organizations:class_create": Page("organization"),
    "organizations:requisites": Page("organization"),
    "organizations:class_rename": Page("school_class"),
    "organizations:class_archive": Page("school_class"),
    "organizations:person_remove": Page("membership"),
    "organizations:invitation_list": Page(None),
    "organizations:invitation": Page(None, extra=(("token", "no-such-invitation"),), opens=404),
    "portal:region_audit": Page("region", ("kind", "date_from", "date_to", "page")),
    "portal:municipality_audit": Page("municipality", ("kind", "date_from", "date_to", "page")),
    # monitoring
    "monitoring:upload_list": Page(None, ("ids", "page")),
    "monitoring:upload": Page("upload"),
    "monitoring:upload_progress": Page("upload"),
    "monitoring:upload_problems": Page("upload"),
    "monitoring:upload_file": Page("upload"),
    "monitoring:region_targets": Page("region"),
    "monitoring:region_dashboard": Page("region", ("week", "format")),
    "portal:municipality_dashboard": Page("municipality", ("week", "format", "type", "q")),
    "monitoring:organization_dashboard": Page("organization", ("week", "format")),
    # rollout
    "rollout:my_steps": Page(None, persona="oo_admin"),
    "rollout:task": Page("task", ("next",)),
    "rollout:evidence": Page("evidence"),
    "rollout:task_draft": Page("draft_task"),
    "rollout:organization": Page("organization"),
    "rollout:district": Page("municipality"),
    "rollout:district_matrix": Page(
        "municipality", ("q", "type", "status", "col", "overdue", "sort")
    ),
    "rollout:district_matrix_export": Page(
        "municipality", ("q", "type", "status", "col", "overdue", "sort")
    ),
    "rollout:district_deadlines": Page("municipality", extra=(("kind", "overdue"),)),
    "rollout:district_contacts": Page("municipality"),
    "rollout:region": Page("region"),
    # notify
    "notify:settings": Page(None),
    "notify:unsubscribe": Page(
        None, persona="anonymous", extra=(("token", "no-such-token"),), opens=404
    ),
    "answers:list": Page(None, ("q",)),
    "answers:detail": Page(None, extra=(("slug", "no-such-answer"),), opens=404),
    "notify:log": Page("municipality", ("kind", "status", "channel", "page")),
    "notify:region_log": Page("region", ("kind", "status", "channel", "page")),
}
SKIPPED = {
    "logout": "POST only: logs out",
    "set_password": "a signed one-time link; Django's own view reads no query parameter",
    "organizations:person_send_link": "POST only",
    "organizations:invitation_respond": "POST only",
    "organizations:invitation_resend": "POST only",
    "organizations:invitation_revoke": "POST only",
    "monitoring:upload_confirm": "POST only",
    "monitoring:upload_cancel": "POST only",
    "rollout:my_steps_tick": "POST only: ticks the checked steps of «Мои шаги»",
    "notify:nudge": "POST only",
    "notify:max_webhook": "POST only: MAX's bot webhook, refused without its secret header",
}


def page_names() -> set[str]:
    """ "namespace:name" of every pattern of the project outside the Django admin."""
    found = set()

    def walk(resolver, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                walk(pattern, (*namespaces, pattern.namespace) if pattern.namespace else namespaces)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(":".join((*namespaces, pattern.name)))

    walk(get_resolver(), ())
    return found


LEVEL = {"coordinator": "region", "oo_admin": "school", "anonymous": "region"}


@pytest.fixture
def filled_world(world, django_capture_on_commit_callbacks):
    """The access walk's world with the rollout templates and one confirmed upload, so that the
    dashboards have a week and their xlsx exports run."""
    if not ChecklistTemplate.objects.exists():
        templates_load()
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.upload_receive(
            uploaded_file=export_file([export_row(world.school, dt.date(2025, 11, 26))]),
            user=world.coordinator,
        )
        services.upload_confirm(upload=upload, skip_invalid=False)
    return world


def _queries(params: tuple[str, ...]):
    """(label, query dict) pairs: each odd value alone in each parameter, in all of them at
    once, and the parameters repeated with a usable and an odd value."""
    names = (*params, *UNKNOWN_PARAMS)
    for value in ODD_VALUES:
        for name in names:
            yield f"{name}={value[:20]!r}", {name: value}
        yield f"all={value[:20]!r}", dict.fromkeys(names, value)
    for name in names:
        yield f"{name} repeated", {name: ["1", "²", "9" * 30, "9999-12-31"]}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_odd_query_parameters_never_answer_a_server_error(filled_world, name):
    page = PAGES[name]
    kwargs = dict(page.extra)
    if page.target:
        kwargs.update(getattr(Objects(filled_world), page.target)(LEVEL[page.persona], "inside"))
    url = reverse(name, kwargs=kwargs or None)
    client = Client(raise_request_exception=False)
    if page.persona != "anonymous":
        client.force_login(getattr(filled_world, page.persona))
    baseline = client.get(url).status_code
    assert baseline == page.opens or (page.opens is None and baseline < 400), (
        f"{url} does not open for {page.persona}: {baseline}"
    )
    failures = []
    for label, query in _queries(page.params):
        status = client.get(url, query).status_code
        if status >= 500:
            failures.append(f"{label}: {status}")
    assert not failures, f"{url} answered a server error for:\n" + "\n".join(failures)


def test_every_page_of_the_project_is_listed():
    found = page_names()
    unknown = sorted(found - set(PAGES) - set(SKIPPED))
    assert not unknown, (
        f"page(s) the query-parameter walk does not know: {unknown}. List each in PAGES of "
        "tests/security/test_query_params.py with the query parameters it reads (or in SKIPPED "
        "with the reason)."
    )
    assert not sorted((set(PAGES) | set(SKIPPED)) - found), "PAGES lists pages that are gone"


SOURCES = ("organizations", "monitoring", "rollout", "notify", "sferum_portal")
ROOT = Path(__file__).resolve().parents[2]
# Ways of reading a parameter by hand; a bound form (``Form(request.GET or None)``), copying the
# query for links (``.copy()``, ``.urlencode()``) and the helpers themselves are the ways in.
RAW_READ = re.compile(r"\.GET\s*(\.get\b|\.getlist\b|\[|\.items\b|\.values\b|\.lists\b)")


def test_query_parameters_are_read_only_through_the_helpers():
    offenders = []
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "params.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if RAW_READ.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "read query parameters through sferum_portal/params.py:\n" + "\n".join(
        offenders
    )
