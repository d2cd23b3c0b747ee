"""The import service: idempotence, replacing a date, scope, skip-invalid, renames, unknown
columns, and all-or-nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from monitoring import services
from monitoring.models import Snapshot, Upload, WeeklyOrganizationValue
from monitoring.preview import preview_lines
from organizations.models import Municipality, Organization, OrganizationAlias
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

D1, D2 = dt.date(2025, 11, 17), dt.date(2025, 11, 24)
Status = Upload.Status


def run(user, file, *, skip_invalid=False) -> Upload:
    """Receive, then confirm when the preview allows it (as the page does)."""
    upload = services.upload_receive(uploaded_file=file, user=user)
    if upload.status == Status.PREVIEW:
        services.upload_confirm(upload=upload, skip_invalid=skip_invalid, inline=True)
    upload.refresh_from_db()
    return upload


@pytest.fixture
def two_schools(world):
    return [export_row(world.school, D1), export_row(world.other_school, D1)]


def test_a_clean_file_is_written_and_the_same_file_again_is_already_imported(world, two_schools):
    content = export_file(two_schools).read()
    first = run(world.coordinator, SimpleUploadedFile("export.xlsx", content))
    assert first.status == Status.DONE and first.rows_written == 2
    assert Snapshot.objects.count() == 2
    again = run(world.coordinator, SimpleUploadedFile("export.xlsx", content))
    assert again.status == Status.DUPLICATE and again.duplicate_of == first
    assert again.rows_written == 0 and Snapshot.objects.count() == 2


def test_the_same_data_in_another_file_changes_nothing(world, two_schools):
    run(world.coordinator, export_file(two_schools))
    before = list(Snapshot.objects.values_list("pk", "upload_id", "updated_at"))
    other_bytes = export_file(two_schools, title_rows=["Статистика на 17.11.2025"])
    upload = run(world.coordinator, other_bytes)
    assert upload.status == Status.DONE
    assert (upload.rows_written, upload.rows_unchanged) == (0, 2)
    assert list(Snapshot.objects.values_list("pk", "upload_id", "updated_at")) == before


def test_a_corrected_file_replaces_that_dates_values_and_history_keeps_both(world, two_schools):
    first = run(world.coordinator, export_file(two_schools))
    corrected = [export_row(world.school, D1, staff_active=95), two_schools[1]]
    second = run(world.coordinator, export_file(corrected, name="исправленный.xlsx"))
    assert (second.rows_written, second.rows_unchanged) == (1, 1)
    snapshot = Snapshot.objects.get(organization=world.school, date=D1)
    assert snapshot.staff_active == 95 and snapshot.upload == second
    assert Snapshot.objects.get(organization=world.other_school).upload == first
    assert list(Upload.objects.filter(status=Status.DONE).order_by("pk")) == [first, second]


def test_rows_outside_the_uploaders_scope_are_listed_never_written(world):
    rows = [
        export_row(world.school, D1),
        export_row(world.far_school, D1, region_code="48"),
        export_row(
            {"sferum_id": 555001, "short_name": "Новая школа Ухты", "municipality": "Ухта"}, D1
        ),
    ]
    upload = run(world.district_lead, export_file(rows))
    assert upload.status == Status.DONE
    assert upload.rows_written == 1 and upload.rows_out_of_scope == 2
    assert {r["sferum_id"] for r in upload.summary["out_of_scope"]} == {
        world.far_school.sferum_id,
        555001,
    }
    assert list(Snapshot.objects.values_list("organization", flat=True)) == [world.school.pk]
    assert not Organization.objects.filter(sferum_id=555001).exists()


def test_a_file_with_a_row_error_writes_nothing_by_default(world):
    rows = [
        export_row(world.school, D1),
        export_row({"sferum_id": 555002, "short_name": "Новая", "municipality": "Ухта"}, D1),
        export_row(world.other_school, D1, teachers_total=-5),
    ]
    counts = (Snapshot.objects.count(), Organization.objects.count(), Municipality.objects.count())
    upload = services.upload_receive(uploaded_file=export_file(rows), user=world.coordinator)
    assert upload.status == Status.PREVIEW and upload.errors_count == 1
    error = upload.problems.get(severity="error")
    assert (error.sheet, error.row, error.column) == ("Статистика", 4, "K")
    with pytest.raises(services.UploadRefused, match="загрузить только корректные строки"):
        services.upload_confirm(upload=upload, skip_invalid=False)
    after = (Snapshot.objects.count(), Organization.objects.count(), Municipality.objects.count())
    assert after == counts


def test_skip_invalid_writes_the_valid_rows_and_records_what_was_skipped(world):
    rows = [
        export_row(world.school, D1),
        export_row(world.other_school, D1, sferum_id="XXXX"),
    ]
    upload = run(world.coordinator, export_file(rows), skip_invalid=True)
    assert upload.status == Status.DONE
    assert (upload.rows_written, upload.rows_skipped) == (1, 1)
    assert upload.problems.filter(severity="error", code="masked_id").exists()
    assert Snapshot.objects.count() == 1


def test_a_renamed_organisation_keeps_its_old_name_as_an_alias(world):
    old_name = world.school.short_name
    run(world.coordinator, export_file([export_row(world.school, D1)]))
    renamed = export_row(world.school, D2, short_name="МБОУ «Гимназия № 1» г. Емвы")
    upload = run(world.coordinator, export_file([renamed]))
    assert upload.organizations_renamed == 1
    world.school.refresh_from_db()
    assert world.school.short_name == "МБОУ «Гимназия № 1» г. Емвы"
    assert list(OrganizationAlias.objects.values_list("name", flat=True)) == [old_name]


def test_an_older_file_does_not_rename_an_organisation_back(world):
    run(world.coordinator, export_file([export_row(world.school, D2, short_name="Новое имя")]))
    run(world.coordinator, export_file([export_row(world.school, D1, short_name="Старое имя")]))
    world.school.refresh_from_db()
    assert world.school.short_name == "Новое имя"


def test_unknown_columns_are_kept_on_the_snapshot(world):
    row = export_row(world.school, D1, **{"Комментарий координатора": "проверить ОО-1"})
    upload = run(
        world.coordinator,
        export_file([row], columns=[*WITH_STAFF, "Комментарий координатора"]),
    )
    assert "Комментарий координатора" in upload.summary["unknown_columns"]
    assert Snapshot.objects.get().extra == {"Комментарий координатора": "проверить ОО-1"}


def test_new_organisations_and_municipalities_grow_the_registry(world):
    rows = [
        export_row(
            {
                "sferum_id": 555003,
                "short_name": "МБДОУ «Детский сад № 7»",
                "org_type": "dou",
                "municipality": "Воркута",
            },
            D1,
        ),
    ]
    upload = run(world.coordinator, export_file(rows))
    assert (upload.organizations_created, upload.municipalities_created) == (1, 1)
    org = Organization.objects.get(sferum_id=555003)
    assert org.org_type == "dou" and org.municipality.name == "Воркута"
    assert org.municipality.region == world.region


def test_a_file_without_the_active_staff_column_stores_no_data_not_zero(world):
    columns = [c for c in WITH_STAFF if c != "staff_active"]
    run(world.coordinator, export_file([export_row(world.school, D1)], columns=columns))
    assert Snapshot.objects.get().staff_active is None


def test_the_preview_says_before_confirmation_that_staff_activity_will_be_no_data(world, client):
    columns = [c for c in WITH_STAFF if c != "staff_active"]
    rows = [export_row(world.school, D1), export_row(world.school, D2)]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, columns=columns), user=world.coordinator
    )

    assert upload.status == Status.PREVIEW
    assert upload.summary["staff_activity_missing"] == ["17.11.2025", "24.11.2025"]
    said = (
        "В файле нет столбца активных сотрудников («Активные учителя», «Активные сотрудники» "
        "или «Активные педагоги»): активность сотрудников за 17.11.2025, 24.11.2025 будет "
        "«нет данных»"
    )
    assert said in preview_lines(upload)
    client.force_login(world.coordinator)
    page = client.get(reverse("monitoring:upload", args=[upload.pk])).content.decode()
    page = " ".join(page.split())
    assert "Подтверждение" in page
    assert said in page


def test_a_file_with_the_active_staff_column_says_nothing_about_it(world):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    assert upload.summary["staff_activity_missing"] == []
    assert not any("активных сотрудников" in line for line in preview_lines(upload))


def test_a_file_whose_rows_carry_no_figure_is_rejected_not_loaded(world):
    columns = ["date", "short_name", "municipality", "sferum_id", "Показатель 1"]
    row = {**export_row(world.school, D1), "Показатель 1": 5}
    upload = services.upload_receive(
        uploaded_file=export_file([row], columns=columns), user=world.coordinator
    )

    assert upload.status == Status.REJECTED
    problem = upload.problems.get(code="no_figures")
    assert (problem.severity, problem.sheet) == ("error", "Статистика")
    assert "«Показатель 1» (E)" in problem.message
    assert Snapshot.objects.count() == 0


def test_an_import_recomputes_the_weeks_it_touched(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(world.coordinator, export_file([export_row(world.school, D1)]))
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.week_start == D1 and value.staff_activity_pct == 70


def test_large_files_are_checked_and_written_by_tasks(
    world, settings, django_capture_on_commit_callbacks
):
    settings.STATS_UPLOAD_INLINE_MAX_BYTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.upload_receive(
            uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
        )
    upload.refresh_from_db()
    assert upload.status == Status.PREVIEW
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_confirm(upload=upload, skip_invalid=False)
    upload.refresh_from_db()
    assert upload.status == Status.DONE and Snapshot.objects.count() == 1


def test_the_write_task_is_safe_to_run_twice(world):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    services.upload_process(upload_id=upload.pk)  # a second delivery of the same task
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.rows_written == 1
    assert Snapshot.objects.count() == 1


def test_an_upload_whose_worker_vanished_is_marked_failed_not_left_running(world):
    from django.utils import timezone

    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    long_ago = timezone.now() - timezone.timedelta(hours=3)
    Upload.objects.filter(pk=upload.pk).update(
        status=Status.RUNNING, created_at=long_ago, started_at=long_ago
    )
    assert services.uploads_reap_stale() == 1
    upload.refresh_from_db()
    assert upload.status == Status.FAILED and "Загрузите файл ещё раз" in upload.error_message
    assert Snapshot.objects.count() == 0


def test_a_confirmed_upload_whose_task_the_broker_lost_is_queued_again(
    world, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    Upload.objects.filter(pk=upload.pk).update(status=Status.QUEUED, queued_at=timezone.now())
    assert services.uploads_reap_stale() == 0  # queued a moment ago: its task is on its way
    long_ago = timezone.now() - timezone.timedelta(hours=3)
    Upload.objects.filter(pk=upload.pk).update(queued_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True) as queued:  # tasks run inline here
        assert services.uploads_reap_stale() == 1
        assert services.uploads_reap_stale() == 0  # claimed: queued once
    assert [c.__qualname__ for c in queued].count("uploads_reap_stale.<locals>.<lambda>") == 1
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.rows_written == 1
    assert Snapshot.objects.count() == 1


def test_the_command_prints_located_errors_and_exits_nonzero(world, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    rows = [export_row(world.school, D1), export_row(world.other_school, D1, sferum_id="XXXX")]
    path.write_bytes(export_file(rows).read())
    with pytest.raises(CommandError, match="Не загружено из-за ошибок"):
        call_command("import_sferum_stats", str(path))
    err = capsys.readouterr().err
    assert "bad.xlsx:Статистика:3:H: ошибка: ID организации скрыт" in err
    assert Snapshot.objects.count() == 0


def test_the_command_dry_run_prints_the_preview_and_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(export_file([export_row(world.school, D1)]).read())
    call_command("import_sferum_stats", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Даты: 2025-11-17" in out and "Княжпогостский: 1" in out
    assert Snapshot.objects.count() == 0 and Upload.objects.count() == 0


def test_the_command_runs_in_a_users_scope(world, tmp_path, capsys):
    path = tmp_path / "two.xlsx"
    rows = [export_row(world.school, D1), export_row(world.far_school, D1, region_code="48")]
    path.write_bytes(export_file(rows).read())
    call_command("import_sferum_stats", str(path), "--user", "district")
    assert "вне зоны ответственности: 1" in capsys.readouterr().out
    assert Snapshot.objects.count() == 1


def test_an_import_that_grows_the_registry_says_so_once_it_commits(
    world, django_capture_on_commit_callbacks
):
    """monitoring.signals.registry_grown: how rollout hears of the rows an import added in bulk
    (monitoring imports no app above it)."""
    from monitoring.signals import registry_grown

    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    registry_grown.connect(receiver)
    try:
        new = {"sferum_id": 555003, "short_name": "МБДОУ № 7", "municipality": "Воркута"}
        with django_capture_on_commit_callbacks() as callbacks:
            run(world.coordinator, export_file([export_row(new, D1)]))
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
        org = Organization.objects.get(sferum_id=555003)
        assert heard == [
            {"signal": registry_grown, "organization_ids": [org.pk],
             "municipality_ids": [org.municipality_id]}
        ]  # fmt: skip
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run(world.coordinator, export_file([export_row(world.school, D2)]))
        assert heard == []  # nothing new in the registry
    finally:
        registry_grown.disconnect(receiver)
