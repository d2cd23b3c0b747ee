"""Excel downloads of monitoring data."""

from openpyxl import Workbook

from sferum_portal.weeks import week_label
from sferum_portal.xlsx import Cell, table_workbook

from .bands import band_colour
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


def league_workbook(title: str, first_header: str, league, week, *, with_counts=False) -> Workbook:
    """A region's municipalities or a district's organisations for a week, coloured by band."""
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
        rows.append(line)
    return table_workbook(f"{title} {week:%d.%m.%Y}", headers, rows)


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
