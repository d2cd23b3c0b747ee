"""Dashboard benchmark (issue 6): server time of the region page of a 3,000-ОО region, a
district page and an organisation page on the national dataset (70,000 ОО, 26 weeks)."""

from __future__ import annotations

import statistics
import time

from .common import print_table, setup_django
from .dataset import NATIONAL_DATABASE, build_national_database, sync_big_region_tasks

RUNS = 15


def _users():
    from organizations.models import Membership, Municipality, Organization, Region, Role, User

    region = Region.objects.get(code="01")
    municipality = Municipality.objects.filter(region=region).order_by("pk").first()
    organization = Organization.objects.filter(municipality=municipality).order_by("pk").first()
    people = {}
    for username, role, scope in (
        ("bench-coordinator", Role.REGIONAL_COORDINATOR, {"region": region}),
        ("bench-district", Role.DISTRICT_LEAD, {"municipality": municipality}),
        ("bench-admin", Role.OO_ADMIN, {"organization": organization}),
    ):
        user, _ = User.objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=user, role=role, **scope)
        people[username] = user
    return region, municipality, organization, people


def _measure(client, url: str, *, cold: bool = False) -> tuple[float, float, int]:
    """Median and p90 of RUNS requests; ``cold``: with the cache emptied before each one."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(RUNS):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], queries


def main(*, rebuild: bool = False) -> dict:
    setup_django(fresh=rebuild, database=NATIONAL_DATABASE)
    from django.test import Client
    from django.urls import reverse

    from organizations.models import Organization

    if rebuild or not Organization.objects.exists():
        build_national_database()
    region, municipality, organization, people = _users()
    sync_big_region_tasks()
    district = reverse("portal:municipality_dashboard", args=[municipality.pk])
    size = municipality.organizations.count()
    pages = [
        ("region page, 3,000 ОО, 25 МО", "bench-coordinator",
         reverse("monitoring:region_dashboard", args=[region.pk]), 300, False),
        (f"district page, {size} ОО", "bench-district", district, 200, False),
        (f"district page, {size} ОО, checklist figures not cached", "bench-district",
         district, 200, True),
        ("organisation page, 26 weeks", "bench-admin",
         reverse("monitoring:organization_dashboard", args=[organization.pk]), 150, False),
    ]  # fmt: skip
    rows, result = [], {}
    for label, username, url, goal, cold in pages:
        client = Client()
        client.force_login(people[username])
        client.get(url)  # warm caches
        median, p90, queries = _measure(client, url, cold=cold)
        rows.append((label, f"median {median:.0f} ms", f"p90 {p90:.0f} ms",
                     f"{queries} queries", f"goal < {goal} ms"))  # fmt: skip
        result[label] = median
    print_table("Dashboards, server time in-process (PostgreSQL, national dataset)", rows)
    return result
