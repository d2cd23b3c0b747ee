"""The district matrix as an xlsx workbook: the same rows, columns and colours as the page.

Sheet «Матрица»: a row per organisation, Russian headers with the full step or item title, a
frozen header row and name column, an autofilter over the table. Sheet «Столбцы»: per column,
its code, full title and the share done among the exported organisations.
"""

from organizations.contacts import NO_CONTACTS
from sferum_portal.xlsx import Cell, add_table, table_workbook, workbook_bytes

from .matrix import (
    CELL_LABELS,
    GROUP_TITLES,
    DistrictProgress,
    Row,
    column_percents,
)

# The cells' colours in the xlsx (background, text), as rollout.css colours them on the page.
CELL_COLORS = {
    "done": ("C6EFCE", "006100"),
    "progress": ("FFEB9C", "7A4A00"),
    "todo": ("FFFFFF", "6C757D"),
    "na": ("DDE4EE", "3B4A5E"),
    "overdue": ("FFC7CE", "9C0006"),
    "none": ("E9ECEF", "495057"),
    "skip": ("F8F9FA", "ADB5BD"),
    "fail": ("FCD5B4", "843C0C"),
    "nodata": ("E9ECEF", "495057"),
}

LEAD_HEADERS = ["ОО", "Тип ОО", "ID Сферум", "Выполнено, %", "Просрочено пунктов ОО"]
LEAD_WIDTHS = [48, 10, 12, 12, 12]
CELL_WIDTH = 22
# Who to call, after the matrix's columns: name, phone and e-mail of each person.
CONTACT_HEADERS = [
    "Администратор Сферум в ОО: ФИО, телефон, e-mail",
    "Руководитель ОО: ФИО, телефон, e-mail",
]
CONTACT_WIDTH = 45


def _cell_text(cell) -> str:
    label = CELL_LABELS[cell.state]
    if cell.state == "skip":
        return "—"
    if cell.detail:
        return cell.detail
    if cell.text and cell.text not in ("✓", "◐", "·", "!", "н/т", "нет"):
        return f"{label} ({cell.text.replace('/', ' из ')})"
    return label


def _coloured(state: str, value) -> Cell:
    background, text = CELL_COLORS[state]
    return Cell(value, fill=background, color=text)


def _contact_cells(contacts: dict | None, organization_id: int) -> list[str]:
    if contacts is None:
        return []
    return list(contacts.get(organization_id, NO_CONTACTS).as_text)


def matrix_workbook(
    progress: DistrictProgress, rows: list[Row], contacts: dict | None = None
) -> bytes:
    """The workbook; with ``contacts`` (organizations.contacts.organization_contacts) the sheet
    ends with each organisation's Sferum admins and heads."""
    headers = LEAD_HEADERS + [
        f"{GROUP_TITLES[c.group]}: {c.label}. {c.title}" if c.group != "teachers" else c.title
        for c in progress.columns
    ]
    if contacts is not None:
        headers += CONTACT_HEADERS
    book = table_workbook(
        "Матрица",
        headers,
        (
            [
                row.organization.short_name,
                row.organization.get_org_type_display(),
                row.organization.sferum_id,
                row.percent,
                row.overdue,
                *(_coloured(cell.state, _cell_text(cell)) for cell in row.cells),
                *_contact_cells(contacts, row.organization.pk),
            ]
            for row in rows
        ),
        widths=LEAD_WIDTHS
        + [CELL_WIDTH] * len(progress.columns)
        + ([CONTACT_WIDTH] * len(CONTACT_HEADERS) if contacts is not None else []),
        freeze="B2",  # the header and the organisation's name stay in view
    )
    book.active.row_dimensions[1].height = 120
    add_table(
        book,
        "Столбцы",
        ["Код", "Группа", "Шаг или пункт плана", "Выполнено, % (по выгруженным ОО)"],
        (
            [column.label, GROUP_TITLES[column.group], column.title, percent]
            for column, percent in zip(
                progress.columns, column_percents(progress, rows), strict=True
            )
        ),
        widths=[12, 30, 90, 18],
    )
    add_table(
        book,
        "Условные обозначения",
        ["Цвет", "Значение"],
        ([_coloured(state, ""), label] for state, label in CELL_LABELS.items()),
        widths=[10, 40],
    )
    return workbook_bytes(book)
