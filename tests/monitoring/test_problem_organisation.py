"""Upload problems name the school of their row: the Sferum ID and name as the file gives them
(even when the row does not parse), the registry's name when it is registered, on the upload
page, in the xlsx of problems and in the command's lines; file-level problems and subtotal
rows name no school."""

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from monitoring.importers.parser import RawSheet, parse_workbook
from monitoring.models import Upload
from monitoring.preview import problem_lines
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

D1 = dt.date(2025, 11, 17)
NEW_SCHOOL = {
    "sferum_id": 990001,
    "short_name": "МБОУ «Новая школа» с. Иоссер",
    "municipality": "Княжпогостский",
}


def _upload(client, user, rows, **options) -> tuple[Upload, str]:
    client.force_login(user)
    response = client.post(
        reverse("monitoring:upload_list"), {"files": export_file(rows, **options)}, follow=True
    )
    return Upload.objects.get(), response.content.decode()


def _problems_xlsx(client, upload) -> list[dict]:
    response = client.get(reverse("monitoring:upload_problems", args=[upload.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_bad_value_of_a_known_and_of_an_unknown_school_names_each(world, client):
    rows = [
        export_row(world.school, D1, students_total="много"),
        export_row(NEW_SCHOOL, D1, teachers_total="сто"),
    ]
    upload, page = _upload(client, world.coordinator, rows)

    known = upload.problems.get(row=2)
    assert known.severity == "error" and known.column == "L"
    assert (known.sferum_id, known.organization_name, known.registry_name) == (
        str(world.school.sferum_id),
        world.school.short_name,
        world.school.short_name,
    )
    unknown = upload.problems.get(row=3)
    assert (unknown.sferum_id, unknown.organization_name, unknown.registry_name) == (
        "990001",
        "МБОУ «Новая школа» с. Иоссер",
        "",
    )

    assert '<th scope="col">ОО</th>' in page
    assert f"ID Сферум {world.school.sferum_id}" in page
    assert "МБОУ «Новая школа» с. Иоссер" in page
    assert "ID Сферум 990001" in page

    by_row = {line["Строка"]: line for line in _problems_xlsx(client, upload)}
    assert by_row[2]["ID Сферум"] == str(world.school.sferum_id)
    assert by_row[2]["ОО в файле"] == world.school.short_name
    assert by_row[2]["ОО в реестре"] == world.school.short_name
    assert by_row[3]["ID Сферум"] == "990001"
    assert by_row[3]["ОО в файле"] == "МБОУ «Новая школа» с. Иоссер"
    assert by_row[3]["ОО в реестре"] is None


def test_an_unreadable_id_is_shown_as_written(world, client):
    rows = [export_row(world.school, D1, sferum_id="XXXX")]
    upload, page = _upload(client, world.coordinator, rows)
    problem = upload.problems.get()
    assert problem.column == "H"
    assert (problem.sferum_id, problem.organization_name, problem.registry_name) == (
        "XXXX",
        world.school.short_name,
        "",
    )
    assert "ID Сферум XXXX" in page
    line = _problems_xlsx(client, upload)[0]
    assert (line["ID Сферум"], line["ОО в файле"]) == ("XXXX", world.school.short_name)


def test_a_renamed_school_shows_the_registry_name_and_the_files(world, client):
    rows = [export_row(world.school, D1, short_name="МБОУ СОШ 1 Емва", parents_active=9999)]
    upload, page = _upload(client, world.coordinator, rows)
    warning = upload.problems.get(code="active_above_registered")
    assert warning.organization_name == "МБОУ СОШ 1 Емва"
    assert warning.registry_name == world.school.short_name
    assert "в файле: «МБОУ СОШ 1 Емва»" in page
    assert warning.organization_label == (
        f"ОО «{world.school.short_name}», ID Сферум {world.school.sferum_id}"
    )


def test_a_rejected_row_of_a_registered_school_gets_its_registry_name(world, client):
    # The parser refuses the row, so the registry plan never sees it: the name is looked up.
    rows = [{**export_row(world.other_school, D1), "date": "вчера"}]
    upload, _ = _upload(client, world.coordinator, rows)
    problem = upload.problems.get(code="bad_date")
    assert problem.registry_name == world.other_school.short_name
    assert problem.sferum_id == str(world.other_school.sferum_id)


def test_subtotal_and_note_rows_name_no_school(world, client):
    subtotal = {**export_row(world.school, D1), "short_name": "Итого по МО", "sferum_id": None}
    mo_total = {
        **export_row(world.school, D1),
        "short_name": None,
        "sferum_id": None,
        "municipality": "Княжпогостский Итог",
    }
    note = {"short_name": "Исполнитель: Иванова И. И."}
    rows = [export_row(world.school, D1), subtotal, mo_total, note]
    upload, _ = _upload(client, world.coordinator, rows)
    skipped = list(upload.problems.filter(code__in=["totals_row", "not_a_data_row"]))
    assert len(skipped) == 3
    for problem in skipped:
        assert (problem.sferum_id, problem.organization_name, problem.registry_name) == (
            "",
            "",
            "",
        )
        assert problem.organization_label == ""
    lines = _problems_xlsx(client, upload)
    assert all(line["ID Сферум"] is None and line["ОО в файле"] is None for line in lines)


def test_file_level_problems_leave_the_columns_empty(world, client):
    column = "Комментарий"
    rows = [export_row(world.school, D1, **{column: "x"})]
    upload, _ = _upload(client, world.coordinator, rows, columns=[*WITH_STAFF, column])
    problem = upload.problems.get(code="unknown_columns")
    assert (problem.sferum_id, problem.organization_name) == ("", "")


def test_the_parser_names_the_school_of_a_row_that_fails():
    header = ("Дата", "Краткое название", "МО", "ID организация", "Учителей в школе всего")
    sheet = RawSheet(
        "Лист1",
        [
            header,
            ("17.11.2025", "  МБОУ «СОШ»\n с. Туръя ", "Княжпогостский", 777001.0, "десять"),
            ("17.11.2025", "МБОУ «ООШ»", "Княжпогостский", "77 70 02 ?", 10),
        ],
    )
    result = parse_workbook([sheet], file_name="a.xlsx")
    first, second = sorted(result.errors, key=lambda p: p.row)
    assert (first.sferum_id, first.organization) == ("777001", "МБОУ «СОШ» с. Туръя")
    assert (second.sferum_id, second.organization) == ("77 70 02 ?", "МБОУ «ООШ»")


def test_the_commands_lines_end_with_the_school():
    header = ("Дата", "Краткое название", "МО", "ID организация", "Учителей в школе всего")
    sheet = RawSheet("Лист1", [header, ("17.11.2025", "МБОУ «СОШ»", "Ухта", 5, "десять")])
    result = parse_workbook([sheet], file_name="a.xlsx")
    (line,) = problem_lines("a.xlsx", result.problems)
    assert line.startswith("a.xlsx:Лист1:2:E: ошибка: ")
    assert line.endswith(" — ОО «МБОУ «СОШ»», ID Сферум 5")
