"""Hostile statistics files through the upload page and the import command: each is refused
with a Russian message naming it, or read harmlessly to no data, and nothing is written; the
expensive shapes stay within time and memory bounds; XML entity tricks fool neither reader."""

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest
from defusedxml.common import EntitiesForbidden
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape

from monitoring.importers import safety
from monitoring.importers.reader import ENGINES, ReaderError, read_sheets
from monitoring.models import Snapshot, Upload
from organizations.models import Organization
from tests.security.hostile_files import (
    CORPUS,
    SECRET,
    column_letters,
    header_row,
    sheet_xml,
    text_cell,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
REFUSED = [name for name, hostile in CORPUS.items() if hostile.refused]
HARMLESS = [name for name, hostile in CORPUS.items() if not hostile.refused]
ENTITY_TRICKS = [
    "xxe_shared_strings",
    "xxe_sheet",
    "billion_laughs_sheet",
    "billion_laughs_strings",
]
# Shapes that cost the readers time or memory, and the zip bombs: measured in a fresh process.
EXPENSIVE = [
    "million_formatted_rows",
    "million_styled_cells",
    "thousand_columns",
    "far_corners",
    "far_column",
    "sneaky_far_cell",
    "unaddressed_cells",
    "shared_strings_count",
    "huge_dimension",
    "ratio_bomb",
    "size_bomb",
    "lying_sizes",
    "many_parts",
]
SECONDS_LIMIT = 20
MEMORY_LIMIT_MB = 300


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    """Builds each corpus file once per test session, on first use."""
    directory = tmp_path_factory.mktemp("hostile")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = CORPUS[name].build(directory)
        return built[name]

    return get


def counts() -> tuple[int, int, int]:
    return Upload.objects.count(), Snapshot.objects.count(), Organization.objects.count()


def post_file(client, path: Path):
    with path.open("rb") as handle:
        return client.post(reverse("monitoring:upload_list"), {"files": handle})


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_file_is_refused_on_the_upload_page_and_nothing_is_kept(
    world, client, hostile, name, django_capture_on_commit_callbacks
):
    """Small files are checked in the request, big ones by the check task (run here as the
    request commits): either way the upload ends refused with the message, and the file itself
    is not kept. A wrong extension is refused by the form before anything is stored."""
    path = hostile(name)
    client.force_login(world.coordinator)
    uploads, snapshots, organizations = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, path)
    if CORPUS[name].form_refused:
        assert response.status_code == 200
        [message] = response.context["form"].errors["files"]
        assert f"«{path.name}»" in message and CORPUS[name].form_refused in message
        assert counts() == (uploads, snapshots, organizations)
        return
    upload = Upload.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{upload.pk}/")
    assert upload.status == Upload.Status.REJECTED
    assert f"«{path.name}»" in upload.error_message
    assert CORPUS[name].refused in upload.error_message
    assert not upload.file and not any(Path(settings.MEDIA_ROOT).rglob(path.name))
    page = client.get(response.url).content.decode()
    assert "не загружено" in page and escape(upload.error_message) in page
    assert "файл не сохранён" in page and "Строк с данными" not in page
    assert client.get(reverse("monitoring:upload_file", args=[upload.pk])).status_code == 404
    assert counts() == (uploads + 1, snapshots, organizations)


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_file_given_to_the_import_command_is_a_rejected_upload_that_writes_nothing(
    world, hostile, name
):
    path = hostile(name)
    out = io.StringIO()
    uploads, snapshots, organizations = counts()
    with pytest.raises(CommandError, match="Не загружено из-за ошибок: 1 из 1"):
        call_command("import_sferum_stats", str(path), stdout=out, stderr=io.StringIO())
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.REJECTED
    assert f"«{path.name}»" in upload.error_message
    assert CORPUS[name].refused in upload.error_message
    assert upload.error_message in out.getvalue()
    assert counts() == (uploads + 1, snapshots, organizations)


@pytest.mark.parametrize("name", REFUSED)
def test_the_import_command_dry_run_refuses_a_hostile_file_and_keeps_nothing(world, hostile, name):
    path = hostile(name)
    out = io.StringIO()
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_sferum_stats", str(path), "--dry-run", stdout=out)
    assert f"«{path.name}»" in out.getvalue() and CORPUS[name].refused in out.getvalue()
    assert counts() == before


@pytest.mark.parametrize("name", HARMLESS)
def test_a_sheet_big_only_in_formatting_or_dimension_is_read_quickly_to_no_data(
    world, client, hostile, name, django_capture_on_commit_callbacks
):
    path = hostile(name)
    client.force_login(world.coordinator)
    before = counts()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # files over 1 MB: the check task
        response = post_file(client, path)
    assert time.monotonic() - started < SECONDS_LIMIT
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.PREVIEW
    assert upload.rows_total == 0 and upload.errors_count == 0
    assert counts() == (before[0] + 1, before[1], before[2])


@pytest.mark.parametrize("name", HARMLESS)
def test_the_import_command_reads_a_sheet_big_only_in_formatting_to_nothing_written(
    world, hostile, name
):
    path = hostile(name)
    before = counts()
    started = time.monotonic()
    call_command("import_sferum_stats", str(path), stdout=io.StringIO())
    assert time.monotonic() - started < SECONDS_LIMIT
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.DONE and upload.rows_written == 0
    assert counts() == (before[0] + 1, before[1], before[2])


MEASURE = """
import json, resource, sys, time
limit = 2048 * 1024 * 1024  # a regression aborts this process, not the machine
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from monitoring.importers.parser import parse_workbook
from monitoring.importers.reader import open_workbook
from monitoring.importers.safety import UnsafeFile, inspect_workbook_file
path = sys.argv[1]
started = time.perf_counter()
result = {}
with open(path, "rb") as handle:
    try:
        inspect_workbook_file(handle, file_name="f.xlsx")
        with open_workbook(handle, file_name="f.xlsx") as book:
            result["rows"] = len(parse_workbook(book.sheets, file_name="f.xlsx").rows)
    except UnsafeFile as error:
        result["refused"] = error.message
result["seconds"] = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:"))
result["memory_mb"] = int(peak.split()[1]) / 1024
print(json.dumps(result))
"""


@pytest.mark.parametrize("name", EXPENSIVE)
def test_an_expensive_shape_is_checked_and_read_within_time_and_memory(hostile, name):
    """Measured in a fresh process: the inspection, then (if it passes) the calamine read and
    the parse the upload would do."""
    path = hostile(name)
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["seconds"] < SECONDS_LIMIT
    assert result["memory_mb"] < MEMORY_LIMIT_MB
    if CORPUS[name].refused:
        assert CORPUS[name].refused in result["refused"]
    else:
        assert result == {**result, "rows": 0}


def test_openpyxl_parses_xml_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ENTITY_TRICKS)
def test_an_entity_trick_read_past_the_inspection_expands_nothing_in_either_engine(
    hostile, name, engine
):
    """The inspection refuses these first; the readers are the second line."""
    path = hostile(name)
    started = time.monotonic()
    with pytest.raises(ReaderError) as refused:
        read_sheets(path, file_name=path.name, engine=engine)
    assert time.monotonic() - started < 5
    causes, error = [], refused.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert not any(SECRET in str(cause) for cause in causes)
    if engine == "openpyxl":
        assert any(isinstance(cause, EntitiesForbidden) for cause in causes)


def test_an_upload_over_the_size_limit_is_refused_before_anything_is_stored(
    world, client, hostile, settings
):
    settings.STATS_UPLOAD_MAX_BYTES = 2000
    path = hostile("macro_workbook")  # any file over 2,000 bytes: the size is checked first
    client.force_login(world.coordinator)
    response = post_file(client, path)
    [message] = response.context["form"].errors["files"]
    assert message.startswith(f"Файл «{path.name}» слишком большой")
    assert "допустимо до 2,0" in message
    assert not Upload.objects.exists()


# --- the inspection's own edges ----------------------------------------------------------------


def wide_sheet(path: Path, width: int) -> Path:
    cells = "".join(text_cell(f"{column_letters(i)}2", "x") for i in range(width))
    return write_xlsx(path, sheet_xml([header_row(), f'<row r="2">{cells}</row>']))


def inspect(path: Path) -> None:
    with path.open("rb") as handle:
        safety.inspect_workbook_file(handle, file_name=path.name)


def test_a_sheet_as_wide_as_the_column_limit_passes_and_one_more_is_refused(tmp_path):
    inspect(wide_sheet(tmp_path / "wide.xlsx", safety.MAX_COLUMNS))
    with pytest.raises(safety.UnsafeFile, match="всего столбцов: 201"):
        inspect(wide_sheet(tmp_path / "wider.xlsx", safety.MAX_COLUMNS + 1))


def test_a_workbook_with_a_chart_shared_strings_and_formulas_passes(tmp_path):
    """Chart parts have <c:v> elements, shared strings and formulas have <v> and <f>: none of
    it may look like a cell without an address."""
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Дата", "МО", "Активные ученики"])
    for n in range(1, 30):
        sheet.append(["17.11.2025", f"МО {n % 3}", n])
    sheet["D2"] = "=SUM(C2:C30)"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=30), titles_from_data=True)
    sheet.add_chart(chart, "F2")
    path = tmp_path / "chart.xlsx"
    book.save(path)
    inspect(path)


def test_cells_without_addresses_are_placed_one_after_another_and_a_small_sheet_passes(
    tmp_path,
):
    row = '<row r="2"><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    inspect(write_xlsx(tmp_path / "short.xlsx", sheet_xml([header_row(), row])))


def test_cells_without_addresses_in_a_part_too_big_to_parse_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "EXACT_MAX_BYTES", 1000)
    row = '<row r="2"><c><v>1</v></c></row>'
    path = write_xlsx(tmp_path / "short.xlsx", sheet_xml([header_row(), row]))
    with pytest.raises(safety.UnsafeFile, match="ячейки без адреса"):
        inspect(path)


def test_the_stream_is_left_at_its_start_for_the_reader(tmp_path):
    path = wide_sheet(tmp_path / "ok.xlsx", 3)
    with path.open("rb") as handle:
        handle.seek(100)
        safety.inspect_workbook_file(handle, file_name="ok.xlsx")
        assert handle.tell() == 0


# --- the box: the fast first tier vouches only for what the reference tier would pass ---------

BOX_EDGES = {
    # name: (the data row's cells, refused with this text or None)
    "second_r_in_a_cell": ('<c r="A2" r="XFD1048576"><v>1</v></c>', "XFD1048576"),
    "stray_r_after_a_quote": ('<c r="A2" t="n"r="XFD1048576"><v>1</v></c>', "XFD1048576"),
    "two_spaces_before_r": ('<c  r="XFD1048576"><v>1</v></c>', "XFD1048576"),
    "tab_before_r": ('<c\tr="XFD1048576"><v>1</v></c>', "XFD1048576"),
    "single_quotes": ("<c r='XFD1048576'><v>1</v></c>", "XFD1048576"),
    "just_inside_the_box": ('<c r="Z189999"><v>1</v></c>', None),
    "lower_case_inside": ('<c r="z189999"><v>1</v></c>', None),
    "just_below_the_box": ('<c r="A190000"><v>1</v></c>', None),  # 23 × 190,000 cells: passes
    "far_below_the_box": ('<c r="W1048576"><v>1</v></c>', "W1048576"),
    "two_letters": ('<c r="AA2"><v>1</v></c>', None),
    "formatting_far_away": ('<c r="XFD1048576" s="1"/>', None),  # no value: not a cell
}


def box_edge(directory: Path, name: str) -> Path:
    cells, _ = BOX_EDGES[name]
    row = f'<row r="2">{cells}</row>'
    return write_xlsx(directory / f"{name}.xlsx", sheet_xml([header_row(), row]))


def outcome(path: Path) -> str | None:
    try:
        inspect(path)
    except safety.UnsafeFile as refused:
        return refused.message
    return None


@pytest.mark.parametrize("name", BOX_EDGES)
def test_cells_at_the_edges_of_the_box_are_judged_as_the_reference_tier_judges_them(
    tmp_path, monkeypatch, name
):
    path = box_edge(tmp_path, name)
    expected = BOX_EDGES[name][1]
    fast = outcome(path)
    if expected is None:
        assert fast is None
    else:
        assert fast is not None and expected in fast
    monkeypatch.setattr(safety, "_within_box", lambda text: False)
    assert outcome(path) == fast


@pytest.mark.parametrize(
    "name", ["thousand_columns", "far_corners", "far_column", "prefixed_far_column",
             "sneaky_far_cell", "unaddressed_cells", "huge_dimension"],
)  # fmt: skip
def test_the_box_changes_no_verdict_on_the_corpus(hostile, monkeypatch, name):
    path = hostile(name)
    fast = outcome(path)
    monkeypatch.setattr(safety, "_within_box", lambda text: False)
    assert outcome(path) == fast


def test_the_box_fits_the_limits():
    assert safety.MAX_RANGE_CELLS >= 26 * 189_999 and safety.MAX_COLUMNS >= 26


def test_a_plain_export_is_vouched_for_by_the_box_alone(tmp_path, monkeypatch):
    """The path of every real export: no second pass over its references."""

    def second_pass(part, text):
        raise AssertionError("the reference tier ran")

    monkeypatch.setattr(safety, "_bound_cells", second_pass)
    inspect(wide_sheet(tmp_path / "plain.xlsx", 23))
    with pytest.raises(AssertionError, match="reference tier"):
        inspect(wide_sheet(tmp_path / "wide.xlsx", 27))
