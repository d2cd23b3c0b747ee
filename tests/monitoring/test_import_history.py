"""The registry entries an import creates or renames reach the audit log («Журнал изменений»)
with the upload as the reason and the uploader as the person, written in bulk: the import's
queries do not grow with its rows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import services
from monitoring.models import Upload
from organizations.models import Municipality, Organization
from tests.monitoring.conftest import export_file, export_row

D1, D2 = dt.date(2025, 11, 17), dt.date(2025, 11, 24)


def _org(sferum_id, name, municipality):
    return {"sferum_id": sferum_id, "short_name": name, "municipality": municipality}


def _import(user, rows, name):
    upload = services.upload_receive(uploaded_file=export_file(rows, name=name), user=user)
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    return upload


def test_an_import_records_the_mo_and_oo_it_creates_and_renames_in_the_log(world, client):
    first = _import(
        world.coordinator,
        [
            export_row(_org(555101, "МБДОУ «Детский сад № 7»", "Воркута"), D1),
            export_row(_org(555102, "МБОУ «СОШ № 5»", "Ухта"), D1),
        ],
        "ноябрь.xlsx",
    )
    reason = f"загрузка статистики № {first.pk} «ноябрь.xlsx»"
    vorkuta = Municipality.objects.get(name="Воркута")
    (created_mo,) = vorkuta.history.all()
    assert (created_mo.history_type, created_mo.history_change_reason) == ("+", reason)
    assert created_mo.history_user == world.coordinator and created_mo.region_id == world.region.pk
    for sferum_id in (555101, 555102):
        (created,) = Organization.objects.get(sferum_id=sferum_id).history.all()
        assert (created.history_type, created.history_change_reason) == ("+", reason)
        assert created.history_user == world.coordinator and created.created_at is not None

    second = _import(
        world.coordinator,
        [export_row(_org(555101, "МАДОУ «Детский сад № 7 „Солнышко“»", "Воркута"), D2)],
        "декабрь.xlsx",
    )
    renamed = Organization.objects.get(sferum_id=555101).history.get(history_type="~")
    assert renamed.short_name == "МАДОУ «Детский сад № 7 „Солнышко“»"
    assert renamed.history_change_reason == f"загрузка статистики № {second.pk} «декабрь.xlsx»"
    assert renamed.history_user == world.coordinator

    client.force_login(world.coordinator)
    response = client.get(reverse("portal:municipality_audit", args=[vorkuta.pk]))
    entries = [e for e in response.context["entries"] if e.kind in ("organization", "municipality")]
    assert [(e.kind, e.action, e.who, e.reason) for e in entries] == [
        ("organization", "изменено", world.coordinator.full_name, renamed.history_change_reason),
        ("organization", "создано", world.coordinator.full_name, reason),
        ("municipality", "создано", world.coordinator.full_name, reason),
    ]
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
        ("краткое название", "МБДОУ «Детский сад № 7»", "МАДОУ «Детский сад № 7 „Солнышко“»")
    ]
    page = response.content.decode()
    assert f"основание:</span> {reason}" in page
    region_log = client.get(reverse("portal:region_audit", args=[world.region.pk]))
    assert {e.object_label for e in region_log.context["entries"]} >= {
        "МБОУ «СОШ № 5»",
        "Воркута",
    }


def test_a_long_file_name_is_cut_to_fit_the_reason(world):
    upload = _import(
        world.coordinator, [export_row(_org(555103, "МБОУ «ООШ»", "Инта"), D1)], f"{'я' * 150}.xlsx"
    )
    (created,) = Organization.objects.get(sferum_id=555103).history.all()
    assert created.history_change_reason.startswith(f"загрузка статистики № {upload.pk} «яя")
    assert created.history_change_reason.endswith("…»")
    assert len(created.history_change_reason) == 100


def _file(n, date, *, region_code, suffix=""):
    """n organisations in n МО of one region (all of them new to the registry at first)."""
    rows = [
        export_row(
            _org(int(f"{region_code}{i:04d}"), f"Школа {i}{suffix}", f"МО {i}"),
            date,
            region_code=region_code,
            region_name=f"Регион {region_code}",
        )
        for i in range(n)
    ]
    return export_file(rows, name=f"{region_code}-{n}-{date}.xlsx")


def _queries_of_import(file) -> int:
    upload = services.upload_receive(uploaded_file=file, user=None)
    with CaptureQueriesContext(connection) as queries:
        services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    return len(queries)


def test_the_imports_queries_do_not_grow_with_its_rows(world):
    few = [
        _queries_of_import(_file(2, D1, region_code="29")),
        _queries_of_import(_file(2, D2, region_code="29", suffix=" (новое имя)")),
    ]
    many = [
        _queries_of_import(_file(30, D1, region_code="83")),
        _queries_of_import(_file(30, D2, region_code="83", suffix=" (новое имя)")),
    ]
    history = Organization.history.model.objects.exclude(history_change_reason=None)
    assert history.filter(history_type="+").count() == 2 + 30
    assert history.filter(history_type="~").count() == 2 + 30
    assert Municipality.history.model.objects.filter(region_id__isnull=False).count() >= 32
    assert many == few
