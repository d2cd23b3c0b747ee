"""A Sferum ID registered in one МО and placed in another by a file: an error of that row,
unless the uploader's scope covers both МО and they confirm the move, which the audit records."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from monitoring import services
from monitoring.models import Snapshot, Upload
from organizations.models import Organization, Role
from tests.factories import person
from tests.monitoring.conftest import export_file, export_row

D1, D2 = dt.date(2025, 11, 17), dt.date(2025, 11, 24)
SID = 777001
Status = Upload.Status


def _row(municipality, date, name):
    org = {"sferum_id": SID, "short_name": name, "municipality": municipality}
    return export_row(org, date)


@pytest.fixture
def claimed(world):
    """The district lead of Княжпогостский registered the ID in their МО with their upload."""
    upload = services.upload_receive(
        uploaded_file=export_file([_row("Княжпогостский", D1, "МБОУ «ООШ» с. Туръя")]),
        user=world.district_lead,
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    organization = Organization.objects.get(sferum_id=SID)
    assert organization.municipality == world.municipality
    return organization


def _ukhta_file(name="МОУ «СОШ № 9» г. Ухты"):
    return export_file([_row("Ухта", D2, name)], name="region.xlsx")


def _assert_untouched(organization, world):
    organization.refresh_from_db()
    assert organization.municipality == world.municipality
    assert organization.short_name == "МБОУ «ООШ» с. Туръя"
    assert list(Snapshot.objects.filter(organization=organization).values_list("date", flat=True))
    assert not Snapshot.objects.filter(organization=organization, date=D2).exists()
    assert not organization.history.filter(history_type="~").exists()


def test_a_coordinators_file_placing_it_in_another_mo_is_an_error_of_that_row(world, claimed):
    rows = [_row("Ухта", D2, "МОУ «СОШ № 9» г. Ухты"), export_row(world.school, D2)]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name="region.xlsx"), user=world.coordinator
    )
    assert upload.status == Status.PREVIEW and upload.errors_count == 1
    error = upload.problems.get(severity="error")
    assert (error.code, error.sheet, error.row, error.column, error.header) == (
        "municipality_move", "Статистика", 2, "D", "МО",
    )  # fmt: skip
    assert f"ОО {SID} «МБОУ «ООШ» с. Туръя» зарегистрирована в МО «Княжпогостский»" in (
        error.message
    )
    assert "в столбце «МО» файла указано МО «Ухта»" in error.message
    assert upload.summary["moves"] == [
        {
            "sferum_id": SID,
            "name": "МБОУ «ООШ» с. Туръя",
            "old": "Княжпогостский",
            "new": "Ухта",
            "new_municipality": False,
        }
    ]
    with pytest.raises(services.UploadRefused, match="Перенести ОО в другое МО, как в файле"):
        services.upload_confirm(upload=upload, skip_invalid=False)

    services.upload_confirm(upload=upload, skip_invalid=True, inline=True)
    upload.refresh_from_db()
    assert upload.status == Status.DONE
    assert (upload.rows_written, upload.rows_skipped) == (1, 1)
    _assert_untouched(claimed, world)


def test_the_district_lead_of_the_other_mo_gets_an_error_and_never_moves_it(world, claimed):
    ukhta_lead = person(Role.DISTRICT_LEAD, world.other_municipality, username="ukhta")
    upload = services.upload_receive(uploaded_file=_ukhta_file(), user=ukhta_lead)
    assert upload.status == Status.PREVIEW and upload.errors_count == 1
    assert upload.rows_out_of_scope == 0 and upload.summary["moves"] == []
    error = upload.problems.get(severity="error")
    assert error.code == "municipality_mismatch" and error.column == "D"
    assert "МО «Княжпогостский»" in error.message and "МО «Ухта»" in error.message
    with pytest.raises(services.UploadRefused, match="загрузить только корректные строки"):
        services.upload_confirm(upload=upload, skip_invalid=False, move_organizations=True)

    services.upload_confirm(upload=upload, skip_invalid=True, move_organizations=True, inline=True)
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.rows_written == 0
    _assert_untouched(claimed, world)


def test_a_coordinator_who_confirms_the_move_moves_it_and_the_log_says_why(
    world, claimed, client, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = client.post(reverse("monitoring:upload_list"), {"files": _ukhta_file()})
    upload = Upload.objects.get(file_name="region.xlsx")
    assert response.url == reverse("monitoring:upload", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "перенести ОО «МБОУ «ООШ» с. Туръя»" in page
    assert "из МО «Княжпогостский» в МО «Ухта»" in page
    assert 'name="move_organizations"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:upload_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == Status.PREVIEW  # refused without the box: nothing left out unasked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("monitoring:upload_confirm", args=[upload.pk]), {"move_organizations": "on"}
        )
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.rows_written == 1
    assert upload.errors_count == 0 and upload.summary["moves_confirmed"]
    claimed.refresh_from_db()
    assert claimed.municipality == world.other_municipality
    assert claimed.short_name == "МОУ «СОШ № 9» г. Ухты"
    moved = claimed.history.get(history_type="~")
    assert moved.municipality_id == world.other_municipality.pk
    assert moved.history_user == world.coordinator
    assert moved.history_change_reason == f"загрузка статистики № {upload.pk} «region.xlsx»"

    log = client.get(reverse("portal:municipality_audit", args=[world.other_municipality.pk]))
    (entry,) = [e for e in log.context["entries"] if e.kind == "organization" and e.changes]
    assert entry.who == world.coordinator.full_name
    assert ("МО", "Княжпогостский", "Ухта") in [(c.field, c.old, c.new) for c in entry.changes]
    assert entry.reason == moved.history_change_reason
    assert f"основание:</span> загрузка статистики № {upload.pk}" in log.content.decode()


def test_the_command_moves_only_when_told_to(world, claimed, tmp_path, capsys):
    path = tmp_path / "region.xlsx"
    path.write_bytes(_ukhta_file().read())
    with pytest.raises(CommandError, match="Не загружено из-за ошибок"):
        call_command("import_sferum_stats", str(path))
    assert "region.xlsx:Статистика:2:D: ошибка: ОО 777001" in capsys.readouterr().err
    _assert_untouched(claimed, world)

    call_command("import_sferum_stats", str(path), "--move-organizations")
    assert "ОО 777001 «МБОУ «ООШ» с. Туръя» из МО «Княжпогостский» в МО «Ухта»" in (
        capsys.readouterr().out
    )
    claimed.refresh_from_db()
    assert claimed.municipality == world.other_municipality


def test_the_command_does_not_move_beyond_the_users_scope(world, claimed, tmp_path, capsys):
    person(Role.DISTRICT_LEAD, world.other_municipality, username="ukhta")
    path = tmp_path / "region.xlsx"
    path.write_bytes(_ukhta_file().read())
    with pytest.raises(CommandError, match="Не загружено из-за ошибок"):
        call_command("import_sferum_stats", str(path), "--move-organizations", "--user", "ukhta")
    err = capsys.readouterr().err
    assert "region.xlsx:Статистика:2:D: ошибка: ОО 777001" in err
    assert "может тот, кто отвечает за оба МО" in err
    _assert_untouched(claimed, world)


def test_a_confirmed_move_to_an_mo_not_yet_registered_creates_it(world, claimed):
    upload = services.upload_receive(
        uploaded_file=export_file([_row("Воркута", D2, "МБОУ «ООШ» с. Туръя")]),
        user=world.coordinator,
    )
    assert upload.summary["moves"][0]["new_municipality"] is True
    services.upload_confirm(upload=upload, skip_invalid=False, move_organizations=True, inline=True)
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.municipalities_created == 1
    claimed.refresh_from_db()
    assert claimed.municipality.name == "Воркута" and claimed.municipality.region == world.region
    assert claimed.municipality.history.get().history_change_reason.startswith(
        f"загрузка статистики № {upload.pk}"
    )


def test_a_confirmed_move_recomputes_the_weeks_of_both_mo(
    world, claimed, django_capture_on_commit_callbacks
):
    from monitoring.models import WeeklyMunicipalityValue
    from monitoring.weekly import weekly_values_compute_weeks
    from sferum_portal.weeks import week_start

    def with_data(municipality, date):
        value = WeeklyMunicipalityValue.objects.filter(
            municipality=municipality, week_start=week_start(date)
        ).first()
        return value.organizations_with_data if value else 0

    weekly_values_compute_weeks(mondays=[week_start(D1)])
    assert with_data(world.municipality, D1) == 1  # the claimed organisation's first week
    upload = services.upload_receive(uploaded_file=_ukhta_file(), user=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_confirm(
            upload=upload, skip_invalid=False, move_organizations=True, inline=True
        )
    claimed.refresh_from_db()
    assert claimed.municipality == world.other_municipality
    # Its earlier week (D1, from the district's file) now counts in Ухта, not in Княжпогостский.
    assert with_data(world.municipality, D1) == 0
    assert with_data(world.other_municipality, D1) == 1
