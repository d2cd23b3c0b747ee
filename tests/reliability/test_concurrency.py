"""Two real processes writing the same data at the same moment on PostgreSQL: two uploads of
the same organisations and dates, two uploads creating the same new organisations, two
recomputes of the same (or adjacent) weeks, two syncs of the same checklist tasks, two writers
renewing the same data versions in opposite orders. Each ends as
if one had run after the other: no duplicates, no lost update, no mix of the two.

Each case runs in two ways: "same moment" starts both processes on one flag (the race is real
but its interleaving is luck), "into a held write" lets the first process finish its write and
keep its transaction open until the second one runs into it (the interleaving that loses
updates when nothing serialises the writers, made certain).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from monitoring import services, weekly
from monitoring.importers.export_writer import write_export
from monitoring.models import (
    Snapshot,
    Upload,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from organizations.models import Municipality, Organization
from sferum_portal import weeks
from tests.factories import OrganizationFactory
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

from .conftest import lock_waiters, wait_until_blocked_or_done

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DATES = [dt.date(2025, 11, 19), dt.date(2025, 11, 26)]
MONDAYS = [weeks.week_start(d) for d in DATES]
MODES = ["same moment", "into a held write"]
COUNT = 150


def write_file(path, rows) -> str:
    write_export(path, rows, columns=WITH_STAFF)
    return str(path)


def import_inline(rows, name="base.xlsx") -> Upload:
    upload = services.upload_receive(uploaded_file=export_file(rows, name=name), inline=True)
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE, upload.error_message
    return upload


def race(processes, first: dict, second: dict, mode: str) -> tuple[dict, dict]:
    """Run two driver actions at the same moment, or the second into the first's held write."""
    if mode == "same moment":
        a = processes.start({**first, "start_flag": str(processes.flag("go"))})
        b = processes.start({**second, "start_flag": str(processes.flag("go"))})
        processes.release("go")
        return processes.result(a), processes.result(b)
    a = processes.start({**first, "hold": {"dir": str(processes.folder), "name": "a"}})
    processes.wait_for("a.written", watch=[a])
    b = processes.start(second)
    wait_until_blocked_or_done(b)
    processes.release("a.commit")
    return processes.result(a), processes.result(b)


def snapshot_state(organization_ids) -> dict[tuple, tuple]:
    rows = Snapshot.objects.filter(organization_id__in=organization_ids, date__in=DATES)
    return {
        (s.organization_id, s.date): (s.staff_active, s.students_active, s.upload_id) for s in rows
    }


def file_values(rows, ids_by_sferum_id) -> dict[tuple, tuple]:
    return {
        (ids_by_sferum_id[r["sferum_id"]], r["date"]): (r["staff_active"], r["students_active"])
        for r in rows
    }


def assert_one_upload_won(state: dict, first: tuple, second: tuple) -> int:
    """Every key holds the values of one upload, and was written by it: returns its id."""
    values = {key: value[:2] for key, value in state.items()}
    writers = {value[2] for value in state.values()}
    winners = [upload for upload, expected in (first, second) if values == expected]
    assert winners, "the snapshots mix the values of both uploads (a lost update)"
    assert writers == {winners[0]}, f"snapshots written by uploads {writers}"
    return winners[0]


def weekly_rows(mondays) -> dict[str, list[dict]]:
    """The weekly tables' rows for these weeks, without ids and timestamps."""
    tables = {}
    for model, key in (
        (WeeklyOrganizationValue, "organization_id"),
        (WeeklyMunicipalityValue, "municipality_id"),
        (WeeklyRegionValue, "region_id"),
    ):
        fields = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")
        ]
        tables[model.__name__] = list(
            model.objects.filter(week_start__in=mondays).order_by(key, "week_start").values(*fields)
        )
    return tables


def assert_weekly_values_as_one_recompute(mondays, region) -> None:
    after_race = weekly_rows(mondays)
    weekly.weekly_values_compute_weeks(mondays=mondays, region_ids=[region.pk])
    assert after_race == weekly_rows(mondays)


@pytest.fixture
def schools(world):
    more = OrganizationFactory.create_batch(COUNT - 2, municipality=world.municipality)
    return [world.school, world.other_school, *more]


@pytest.mark.parametrize("mode", MODES)
def test_two_uploads_of_the_same_keys_end_as_one_after_the_other(
    processes, world, schools, mode, tmp_path
):
    base = [export_row(o, d, staff_active=60, students_active=300) for o in schools for d in DATES]
    import_inline(base)
    first = [export_row(o, d, staff_active=71, students_active=301) for o in schools for d in DATES]
    # The second upload brings new values for half the schools and, for the other half, the
    # values stored before either upload (a school whose figures did not change); its rows come
    # in the opposite order.
    second = [
        export_row(o, d, staff_active=72, students_active=302)
        if i % 2
        else export_row(o, d, staff_active=60, students_active=300)
        for i, o in enumerate(schools)
        for d in DATES
    ][::-1]
    a, b = race(
        processes,
        {"action": "import", "file": write_file(tmp_path / "first.xlsx", first)},
        {"action": "import", "file": write_file(tmp_path / "second.xlsx", second)},
        mode,
    )

    assert (a["status"], b["status"]) == ("done", "done"), (a, b)
    ids = {o.sferum_id: o.pk for o in schools}
    state = snapshot_state(ids.values())
    assert len(state) == len(schools) * len(DATES)
    assert Snapshot.objects.filter(organization_id__in=ids.values()).count() == len(state)
    assert_one_upload_won(
        state, (a["upload"], file_values(first, ids)), (b["upload"], file_values(second, ids))
    )
    assert_weekly_values_as_one_recompute(MONDAYS, world.region)


@pytest.mark.parametrize("mode", MODES)
def test_two_uploads_creating_the_same_organisations_create_them_once(
    processes, world, mode, tmp_path
):
    new = [
        {
            "sferum_id": 970_000_000 + i,
            "short_name": f"МБОУ «Новая школа № {i}»",
            "org_type": "ou",
            "municipality": "Новоградский",  # a municipality the registry does not have yet
        }
        for i in range(COUNT)
    ]
    first = [export_row(o, d, staff_active=81, students_active=401) for o in new for d in DATES]
    second = [export_row(o, d, staff_active=82, students_active=402) for o in new for d in DATES]
    a, b = race(
        processes,
        {"action": "import", "file": write_file(tmp_path / "first.xlsx", first)},
        {"action": "import", "file": write_file(tmp_path / "second.xlsx", second[::-1])},
        mode,
    )

    assert (a["status"], b["status"]) == ("done", "done"), (a, b)
    created = Organization.objects.filter(sferum_id__in=[o["sferum_id"] for o in new])
    assert created.count() == COUNT
    assert Municipality.objects.filter(name="Новоградский").count() == 1
    # Each upload reports what it did, not what it planned before the other one ran.
    assert a["organizations_created"] + b["organizations_created"] == COUNT
    assert a["municipalities_created"] + b["municipalities_created"] == 1
    ids = dict(created.values_list("sferum_id", "pk"))
    state = snapshot_state(ids.values())
    assert len(state) == COUNT * len(DATES)
    assert_one_upload_won(
        state, (a["upload"], file_values(first, ids)), (b["upload"], file_values(second, ids))
    )


@pytest.mark.parametrize("mode", MODES)
def test_two_recomputes_of_the_same_week_give_the_rows_of_one(processes, world, schools, mode):
    import_inline([export_row(o, d, staff_active=60) for o in schools for d in DATES])
    # New figures that no recompute has seen yet.
    Snapshot.objects.filter(date=DATES[1], organization__in=schools[::3]).update(staff_active=90)
    week = {
        "action": "recompute",
        "mondays": [MONDAYS[1].isoformat()],
        "region_ids": [world.region.pk],
    }
    race(processes, week, week, mode)

    rows = weekly_rows([MONDAYS[1]])["WeeklyOrganizationValue"]
    assert len(rows) == len({r["organization_id"] for r in rows}) == len(schools)
    assert sum(r["staff_activity_num"] == 90 for r in rows) == len(schools[::3])
    assert_weekly_values_as_one_recompute([MONDAYS[1]], world.region)


def test_recomputes_of_adjacent_weeks_do_not_lose_the_change_between_them(
    processes, world, schools
):
    """A week's rows carry the change since the week before: a recompute of the earlier week
    refreshes them, so it must not slip past a recompute of the later week in flight."""
    import_inline([export_row(o, d, staff_active=60) for o in schools for d in DATES])
    for model in (WeeklyOrganizationValue, WeeklyMunicipalityValue, WeeklyRegionValue):
        model.objects.filter(week_start=MONDAYS[1]).delete()  # the later week not computed yet
    Snapshot.objects.filter(date=DATES[0]).update(staff_active=40)  # the earlier week changed
    regions = [world.region.pk]
    later = {"action": "recompute", "mondays": [MONDAYS[1].isoformat()], "region_ids": regions}
    earlier = {"action": "recompute", "mondays": [MONDAYS[0].isoformat()], "region_ids": regions}
    race(processes, later, earlier, "into a held write")

    changes = WeeklyOrganizationValue.objects.filter(
        week_start=MONDAYS[1], organization__in=schools
    ).values_list("staff_activity_change", flat=True)
    assert set(changes) == {20}  # 60 % now against 40 % the week before
    assert_weekly_values_as_one_recompute(MONDAYS, world.region)


def task_keys() -> list[tuple]:
    from rollout.models import Task

    fields = ("step_id", "plan_item_id", "membership_id", "school_class_id", "organization_id",
              "municipality_id", "archived")  # fmt: skip
    return sorted(
        tuple(-1 if value is None else value for value in key)
        for key in Task.objects.values_list(*fields)
    )


@pytest.mark.parametrize("mode", MODES)
def test_two_syncs_of_the_same_tasks_create_each_task_once(processes, world, schools, mode):
    """A manual ``rollout_sync`` while an import's follow-up sync runs: both find the same
    tasks missing; each is created once and neither sync fails."""
    from rollout.models import Task
    from rollout.services import tasks_sync_all

    tasks_sync_all()
    expected = task_keys()
    Task.objects.all().delete()
    first, second = race(processes, {"action": "sync"}, {"action": "sync"}, mode)
    assert task_keys() == expected
    assert first["created"] + second["created"] >= len(expected)


def test_two_writers_renewing_data_versions_in_opposite_orders_both_commit(processes, world):
    """A class saved, then an organisation (its district's token, then all districts'), beside
    the other order: without one lock order the two would deadlock and one would fail."""
    from organizations.models import DataVersion
    from organizations.versions import ALL, municipality_data

    district = municipality_data(world.municipality.pk)
    folder = str(processes.folder)
    class_first = processes.start(
        {"action": "renew", "names": [district, ALL], "dir": folder, "name": "a"}
    )
    processes.wait_for("a.first", watch=[class_first])
    organisation_first = processes.start(
        {"action": "renew", "names": [ALL, district], "dir": folder, "name": "b"}
    )
    # Each holds its first token (without one lock order), or the second waits for the first.
    deadline = time.monotonic() + 60
    while not (processes.folder / "b.first").exists() and not lock_waiters():
        assert time.monotonic() < deadline and organisation_first.poll() is None
        time.sleep(0.02)
    before = dict(DataVersion.objects.values_list("name", "token"))
    processes.release("a.go")
    processes.release("b.go")
    assert processes.result(class_first) == {"renewed": [district, ALL]}
    assert processes.result(organisation_first) == {"renewed": [ALL, district]}
    after = dict(DataVersion.objects.values_list("name", "token"))
    assert after[ALL] != before[ALL] and after[district] != before[district]
