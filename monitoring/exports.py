"""Excel downloads of monitoring data."""

from openpyxl import Workbook
from openpyxl.styles import Font

from sferum_portal.weeks import week_label
from sferum_portal.xlsx import Cell, safe_text, table_workbook

from .bands import band_colour
from .comparison import HEADLINE, WINDOW_WEEKS
from .flags import flags_for
from .models import Upload

ERROR_FILL, WARNING_FILL = "F8D7DA", "FFF3CD"


def problems_workbook(upload: Upload, problems) -> Workbook:
    """The errors and warnings given (an upload's, as far as the reader may see them), located
    by sheet, row and column, with the organisation of the row (its Sferum ID and name as in
    the file, and the registry's name when it is registered)."""
    rows = (
        [
            upload.file_name,
            p.sheet,
            p.row,
            p.column,
            p.header,
            Cell(p.get_severity_display(), ERROR_FILL if p.severity == "error" else WARNING_FILL),
            p.message,
            # Last, so that the earlier columns keep their places for those who read them.
            p.sferum_id,
            p.organization_name,
            p.registry_name,
        ]
        for p in problems.order_by("severity", "id")
    )
    return table_workbook(
        "Замечания",
        [
            "Файл",
            "Лист",
            "Строка",
            "Столбец",
            "Заголовок столбца",
            "Вид",
            "Описание",
            "ID Сферум",
            "ОО в файле",
            "ОО в реестре",
        ],
        rows,
        widths=[30, 16, 9, 9, 30, 16, 90, 14, 40, 40],
    )


def _pct_cell(kpi) -> Cell:
    return Cell(
        None if kpi.value is None else float(kpi.value),
        band_colour(kpi.band),
        "0.0",
    )


def _change(kpi) -> float | None:
    return None if kpi.change is None else float(kpi.change)


WHOM = {"staff_activity": "сотрудники", "students_parents_activity": "обучающиеся и родители"}


def _steady_headers(with_groups: bool) -> list[str]:
    headers = ["Группа сравнения", "Место в группе"] if with_groups else ["Место"]
    headers += [f"Недель у цели из {WINDOW_WEEKS}: {WHOM[code]}" for code in HEADLINE]
    headers += [f"Изменение за 4 недели, п. п.: {WHOM[code]}" for code in HEADLINE]
    return headers


def _steady_cells(row, with_groups: bool) -> list:
    place = f"{row.place[0]} из {row.place[1]}" if row.place else None
    group = row.group.label if row.group else "все ОО вместе"
    cells = [group, place] if with_groups else [place]
    for code in HEADLINE:
        record = row.steady.get(code)
        cells.append(record.on_target if record and record.with_value else None)
    for code in HEADLINE:
        record = row.steady.get(code)
        cells.append(None if record is None or record.change is None else float(record.change))
    return cells


def _with_note(book: Workbook, note: str) -> Workbook:
    """The table one row down, under a line saying what it shows."""
    sheet = book.active
    last = sheet.auto_filter.ref.split(":")[1].rstrip("0123456789")
    sheet.insert_rows(1)
    sheet["A1"] = safe_text(note)
    sheet["A1"].font = Font(italic=True)
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{last}{sheet.max_row}"
    return book


def league_workbook(
    title: str, first_header: str, league, week, *, with_counts=False, note: str = ""
) -> Workbook:
    """A region's municipalities or a district's organisations for a week, coloured by band, in
    the league's order. A league that carries the last 8 weeks (the dashboards') gets their
    columns at the end: the group and the place in it (a district's), or the place (a
    region's), the weeks on target and the change over 4 weeks. ``note``: a line above the
    table (the comparison chosen)."""
    steady = any(row.steady for row in league)
    headers = [first_header]
    if not with_counts:
        headers += ["Тип ОО"]
    else:
        headers += ["ОО", "ОО с данными", "ОО без данных"]
    headers += [
        "Активность сотрудников, %",
        "Изменение, п. п.",
        "Активность обучающихся и родителей, %",
        "Изменение, п. п.",
        "Учителей зарегистрировано, %",
        "Сотрудников не хватает до 75 %",
        "Обучающихся и родителей не хватает до 30 %",
    ]
    if with_counts:
        headers += ["ОО достигли 75 %", "ОО достигли 30 %", "ОО с замечаниями"]
    else:
        headers += ["Замечания"]
    if steady:
        headers += _steady_headers(with_groups=not with_counts)
    rows = []
    for row in league:
        staff, sp = row.kpis["staff_activity"], row.kpis["students_parents_activity"]
        line = [row.name]
        v = row.value_row
        if with_counts:
            line += [
                v.organizations if v else None,
                v.organizations_with_data if v else None,
                v.organizations_without_data if v else None,
            ]
        else:
            line.append(row.extra.get("org_type", ""))
        line += [
            _pct_cell(staff),
            _change(staff),
            _pct_cell(sp),
            _change(sp),
            _pct_cell(row.kpis["teachers_registered"]),
            staff.gap_people,
            sp.gap_people,
        ]
        if with_counts:
            line += [
                v.staff_stage2_met_count if v else None,
                v.students_parents_stage2_met_count if v else None,
                v.organizations_flagged if v else None,
            ]
        else:
            line.append("нет данных" if v is None else "; ".join(h.title for _, h in flags_for(v)))
        if steady:
            line += _steady_cells(row, with_groups=not with_counts)
        rows.append(line)
    book = table_workbook(f"{title} {week:%d.%m.%Y}", headers, rows)
    return _with_note(book, note) if note else book


def organization_history_workbook(organization, board) -> Workbook:
    headers = [
        "Неделя",
        "Дата среза",
        "Сотрудников (ОО-1)",
        "Зарегистрировано учителей",
        "Активных сотрудников",
        "Активность сотрудников, %",
        "Обучающихся и родителей",
        "Активных обучающихся и родителей",
        "Активность обучающихся и родителей, %",
        "Учителей зарегистрировано, %",
    ]

    def coloured(value, met) -> Cell:
        fill = "none" if met is None else ("good" if met else "bad")
        return Cell(None if value is None else float(value), band_colour(fill), "0.0")

    rows = []
    for v in board.history:
        staff = coloured(v.staff_activity_pct, v.staff_stage2_met)
        sp = coloured(v.students_parents_activity_pct, v.students_parents_stage2_met)
        rows.append(
            [
                week_label(v.week_start),
                f"{v.snapshot_date:%d.%m.%Y}",
                v.staff_activity_den,
                v.teachers_registered_num,
                v.staff_activity_num,
                staff,
                v.students_parents_activity_den,
                v.students_parents_activity_num,
                sp,
                None if v.teachers_registered_pct is None else float(v.teachers_registered_pct),
            ]
        )
    return table_workbook(organization.short_name[:25], headers, rows)
