"""«Загрузка статистики» pages for each role: who may upload, preview, confirm and see what."""

import datetime as dt

import openpyxl
import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import Snapshot, Upload
from tests.monitoring.conftest import export_file, export_row

D1 = dt.date(2025, 11, 17)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("methodologist", 200),
        ("district_methodologist", 200),
        ("district_lead", 200),
        ("oo_admin", 403),
        ("oo_head", 403),
        ("teacher", 403),
        ("nobody", 403),
    ],
)
def test_only_upload_roles_open_the_upload_page(world, client, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("monitoring:upload_list")).status_code == status


def test_the_preview_names_each_error_by_row_and_column(world, client):
    client.force_login(world.district_lead)
    rows = [
        export_row(world.school, D1),
        export_row(world.other_school, D1, students_total="много"),
    ]
    response = client.post(
        reverse("monitoring:upload_list"),
        {"files": export_file(rows, name="ноябрь.xlsx")},
        follow=True,
    )
    page = response.content.decode()
    assert "ноябрь.xlsx" in page and "ожидает подтверждения" in page
    error = Upload.objects.get().problems.get(severity="error")
    assert (error.row, error.column) == (3, "L")
    assert f"{error.message}" in page and "Загрузить только корректные строки" in page


def test_confirming_a_clean_preview_writes_the_data(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    file = export_file([export_row(world.school, D1)])
    client.post(reverse("monitoring:upload_list"), {"files": file})
    upload = Upload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:upload_confirm", args=[upload.pk]))
    response = client.get(response["Location"])
    assert "Данные загружены" in response.content.decode()
    assert Snapshot.objects.count() == 1


def test_several_files_at_once_are_each_previewed(world, client):
    client.force_login(world.coordinator)
    files = [
        export_file([export_row(world.school, D1)], name="a.xlsx"),
        export_file([export_row(world.school, dt.date(2025, 11, 24))], name="b.xlsx"),
    ]
    response = client.post(reverse("monitoring:upload_list"), {"files": files}, follow=True)
    assert {u.file_name for u in response.context["batch"]} == {"a.xlsx", "b.xlsx"}


def test_a_file_that_is_not_xlsx_is_refused_with_its_name(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.coordinator)
    fake = SimpleUploadedFile("отчёт.xlsx", b"MZ\x90\x00 this is not a workbook")
    response = client.post(reverse("monitoring:upload_list"), {"files": fake}, follow=True)
    assert "Файл «отчёт.xlsx» назван .xlsx, но это не книга Excel" in response.content.decode()
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.REJECTED and not upload.file


def test_uploads_are_visible_within_scope_only(world, client):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    far = services.upload_receive(
        uploaded_file=export_file([export_row(world.far_school, D1, region_code="48")]),
        user=world.operator,
    )
    services.upload_confirm(upload=far, skip_invalid=False, inline=True)
    client.force_login(world.district_lead)
    assert client.get(reverse("monitoring:upload", args=[upload.pk])).status_code == 200
    assert client.get(reverse("monitoring:upload", args=[far.pk])).status_code == 404
    listed = {u.pk for u in client.get(reverse("monitoring:upload_list")).context["page"]}
    assert listed == {upload.pk}


def test_only_the_uploader_confirms_their_preview(world, client):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.district_lead
    )
    client.force_login(world.district_methodologist)
    assert client.get(reverse("monitoring:upload", args=[upload.pk])).status_code == 404
    client.force_login(world.coordinator)
    Upload.municipalities.through.objects.create(upload=upload, municipality=world.municipality)
    response = client.post(reverse("monitoring:upload_confirm", args=[upload.pk]))
    assert response.status_code == 403
    assert not Snapshot.objects.exists()


def test_the_error_list_downloads_as_xlsx(world, client):
    client.force_login(world.coordinator)
    rows = [export_row(world.school, D1, sferum_id="XXXX")]
    client.post(reverse("monitoring:upload_list"), {"files": export_file(rows, name="x.xlsx")})
    upload = Upload.objects.get()
    response = client.get(reverse("monitoring:upload_problems", args=[upload.pk]))
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["Файл", "Лист", "Строка", "Столбец"]
    assert [c.value for c in sheet[2]][:4] == ["x.xlsx", "Статистика", 2, "H"]


def test_progress_is_reported_as_json(world, client):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    client.force_login(world.coordinator)
    data = client.get(reverse("monitoring:upload_progress", args=[upload.pk])).json()
    assert data == {
        "status": "preview",
        "status_display": "ожидает подтверждения",
        "active": False,
        "progress": 100,
        "note": "Проверка завершена",
    }
