"""Excel downloads of monitoring data."""

from openpyxl import Workbook

from sferum_portal.xlsx import Cell, table_workbook

from .models import Upload

ERROR_FILL, WARNING_FILL = "F8D7DA", "FFF3CD"


def problems_workbook(upload: Upload) -> Workbook:
    """Every error and warning of an upload, located by sheet, row and column."""
    rows = (
        [
            upload.file_name,
            p.sheet,
            p.row,
            p.column,
            p.header,
            Cell(p.get_severity_display(), ERROR_FILL if p.severity == "error" else WARNING_FILL),
            p.message,
        ]
        for p in upload.problems.order_by("severity", "id")
    )
    return table_workbook(
        "Замечания",
        ["Файл", "Лист", "Строка", "Столбец", "Заголовок столбца", "Вид", "Описание"],
        rows,
        widths=[30, 16, 9, 9, 30, 16, 90],
    )
