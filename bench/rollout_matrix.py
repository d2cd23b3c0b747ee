"""How long the district matrix takes to render for 300 organisations × 30+ columns.

Run: ``.venv/bin/python -m bench matrix`` (any DATABASE_URL; SQLite by default). The
script creates a throwaway test database with Django's test utilities (the real database is not
touched), fills one district with 300 organisations — each with a Sferum admin, a head and two
class teachers, 40 % of the tasks done — and a second district with 30, renders each matrix
through the full request cycle several times, and prints the median server time and the query
counts (which must be equal for both sizes). The test environment's template instrumentation
is left off, so the times are the server's, not the test client's bookkeeping.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_portal.settings")

RUNS = 7


def _district(region, name: str, size: int, rng: random.Random, first_id: int):
    from organizations.models import (
        Membership,
        Municipality,
        Organization,
        OrgType,
        Role,
        SchoolClass,
        User,
    )

    municipality = Municipality.objects.create(region=region, name=name)
    types = [OrgType.OU] * 6 + [OrgType.DOU] * 3 + [OrgType.UDO]
    orgs = Organization.objects.bulk_create(
        [
            Organization(
                municipality=municipality,
                sferum_id=first_id + i,
                short_name=f"ОО № {i + 1} ({name})",
                org_type=types[i % len(types)],
            )
            for i in range(size)
        ]
    )
    classes = SchoolClass.objects.bulk_create(
        [SchoolClass(organization=o, name=f"{k + 1}А", grade=k + 1) for o in orgs for k in range(2)]
    )
    people = User.objects.bulk_create(
        [User(username=f"{name}-{i}", last_name="Иванова") for i in range(size * 4)]
    )
    memberships = []
    for i, org in enumerate(orgs):
        for j, role in enumerate(
            (Role.OO_ADMIN, Role.OO_HEAD, Role.CLASS_TEACHER, Role.CLASS_TEACHER)
        ):
            memberships.append(
                Membership(
                    user=people[4 * i + j],
                    role=role,
                    organization=org,
                    had_vkm_profile=rng.random() < 0.5,
                )
            )
    memberships = Membership.objects.bulk_create(memberships)
    through = Membership.classes.through
    teacher_rows = []
    for i, _org in enumerate(orgs):
        for k in range(2):
            teacher_rows.append(
                through(
                    membership_id=memberships[4 * i + 2 + k].pk,
                    schoolclass_id=classes[2 * i + k].pk,
                )
            )
    through.objects.bulk_create(teacher_rows)
    lead = User.objects.create(username=f"lead-{name}")
    Membership.objects.create(user=lead, role=Role.DISTRICT_LEAD, municipality=municipality)
    return municipality, lead


def _render(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(ctx.captured_queries)


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from organizations.models import Region
    from rollout.matrix import matrix_columns
    from rollout.models import Status, Task
    from rollout.services import tasks_sync_all
    from rollout.signals import sync_muted

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(42)
        with sync_muted():
            region = Region.objects.create(name="Республика Коми", code="11")
            big, big_lead = _district(region, "Большой", 300, rng, 100000)
            small, small_lead = _district(region, "Малый", 30, rng, 200000)
        started = time.perf_counter()
        synced = tasks_sync_all()
        sync_ms = (time.perf_counter() - started) * 1000
        ids = list(Task.objects.values_list("pk", flat=True))
        done = rng.sample(ids, int(len(ids) * 0.4))
        Task.objects.filter(pk__in=done).update(status=Status.DONE)
        started_ids = rng.sample(ids, int(len(ids) * 0.1))
        Task.objects.filter(pk__in=started_ids).exclude(status=Status.DONE).update(
            status=Status.IN_PROGRESS
        )
        columns = len(matrix_columns()[0])

        client = Client()
        results = {}
        for label, municipality, lead in (("300", big, big_lead), ("30", small, small_lead)):
            client.force_login(lead)
            for name in ("rollout:district_matrix", "rollout:district_matrix_export"):
                url = reverse(name, args=[municipality.pk])
                _render(client, url)  # warm the template and URL caches
                timings, queries = [], set()
                for _ in range(RUNS):
                    ms, count = _render(client, url)
                    timings.append(ms)
                    queries.add(count)
                results[label, name] = (statistics.median(timings), min(timings), queries)

        print(f"Задачи: {synced}; синхронизация заняла {sync_ms:.0f} мс.")
        print(f"Столбцов матрицы: {columns}.")
        for (label, name), (median, best, queries) in results.items():
            what = "страница" if name.endswith("matrix") else "xlsx"
            print(
                f"{label:>3} ОО, {what:<8}: медиана {median:6.1f} мс, лучшее {best:6.1f} мс, "
                f"запросов {sorted(queries)}"
            )
        page_queries = results["300", "rollout:district_matrix"][2]
        small_queries = results["30", "rollout:district_matrix"][2]
        verdict = "одинаково" if page_queries == small_queries else "РАЗНОЕ ЧИСЛО"
        print(f"Запросы страницы для 30 и 300 ОО: {verdict}.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
