"""The district matrix as an xlsx workbook: the same rows, columns and colours as the page.

Sheet «Матрица»: a row per organisation, Russian headers with the full step or item title, a
frozen header row and name column, an autofilter over the table. Sheet «Столбцы»: per column,
its code, full title and the share done among the exported organisations.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sferum_portal.xlsx import safe_text

from .selectors import (
    CELL_COLORS,
    CELL_LABELS,
    GROUP_TITLES,
    DistrictProgress,
    Row,
    column_percents,
)

LEAD_HEADERS = ["ОО", "Тип ОО", "ID Сферум", "Выполнено, %", "Просрочено пунктов"]


def _cell_text(cell) -> str:
    label = CELL_LABELS[cell.state]
    if cell.state == "skip":
        return "—"
    if cell.detail:
        return cell.detail
    if cell.text and cell.text not in ("✓", "◐", "·", "!", "н/т", "нет"):
        return f"{label} ({cell.text.replace('/', ' из ')})"
    return label


def matrix_workbook(progress: DistrictProgress, rows: list[Row]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Матрица"
    headers = LEAD_HEADERS + [
        f"{GROUP_TITLES[c.group]}: {c.label}. {c.title}" if c.group != "teachers" else c.title
        for c in progress.columns
    ]
    ws.append([safe_text(h) for h in headers])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, _ in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = bold
        cell.alignment = wrap
    fills = {
        state: PatternFill("solid", start_color=bg, end_color=bg)
        for state, (bg, _fg) in CELL_COLORS.items()
    }
    fonts = {state: Font(color=fg) for state, (_bg, fg) in CELL_COLORS.items()}
    for r, row in enumerate(rows, start=2):
        org = row.organization
        ws.cell(row=r, column=1, value=safe_text(org.short_name))
        ws.cell(row=r, column=2, value=org.get_org_type_display())
        ws.cell(row=r, column=3, value=org.sferum_id)
        ws.cell(row=r, column=4, value=row.percent)
        ws.cell(row=r, column=5, value=row.overdue)
        for c, cell in enumerate(row.cells, start=len(LEAD_HEADERS) + 1):
            target = ws.cell(row=r, column=c, value=safe_text(_cell_text(cell)))
            target.fill = fills[cell.state]
            target.font = fonts[cell.state]
    ws.freeze_panes = "B2"
    last_column = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last_column}{max(len(rows) + 1, 2)}"
    ws.row_dimensions[1].height = 120
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 12
    ws.column_dimensions["E"].width = 12
    for index in range(len(LEAD_HEADERS) + 1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 22

    legend = wb.create_sheet("Столбцы")
    legend.append(["Код", "Группа", "Шаг или пункт плана", "Выполнено, % (по выгруженным ОО)"])
    for index in range(1, 5):
        legend.cell(row=1, column=index).font = bold
    for column, percent in zip(progress.columns, column_percents(progress, rows), strict=True):
        legend.append(
            [safe_text(column.label), GROUP_TITLES[column.group], safe_text(column.title), percent]
        )
    legend.freeze_panes = "A2"
    legend.column_dimensions["A"].width = 12
    legend.column_dimensions["B"].width = 30
    legend.column_dimensions["C"].width = 90
    legend.column_dimensions["D"].width = 18
    for row in legend.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = wrap

    states = wb.create_sheet("Условные обозначения")
    states.append(["Цвет", "Значение"])
    for state, label in CELL_LABELS.items():
        states.append(["", label])
        states.cell(row=states.max_row, column=1).fill = fills[state]
    states.column_dimensions["B"].width = 40

    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
