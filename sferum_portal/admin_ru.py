"""The admin's import and export in Russian: the base class every registry and template admin
uses instead of django-import-export's ``ImportExportModelAdmin``.

The library's result message reads «Импорт завершен: 1 новых, … 40 пропущено образовательные
организации (ОО)»; its export form labels each column by the attribute name in English title
case («Sferum Id (ID организация)»). Here the message names each count after a dash, so no
noun has to agree with a number, and the export form shows the Russian column names only.
"""

from django.contrib import messages
from import_export.admin import ImportExportModelAdmin
from import_export.forms import SelectableFieldsExportForm
from import_export.results import RowResult


class ExportForm(SelectableFieldsExportForm):
    """Each selectable column labelled by its Russian column name."""

    def _get_field_label(self, resource, field_name: str) -> str:
        # Overrides the library's one labelling hook (import-export 4.x).
        field = resource.fields.get(field_name)
        return field.column_name if field is not None and field.column_name else field_name


def import_result_message(result, verbose_name_plural: str) -> str:
    totals = result.totals
    return (
        f"Импорт завершён ({verbose_name_plural}): добавлено — "
        f"{totals[RowResult.IMPORT_TYPE_NEW]}, обновлено — "
        f"{totals[RowResult.IMPORT_TYPE_UPDATE]}, удалено — "
        f"{totals[RowResult.IMPORT_TYPE_DELETE]}, без изменений — "
        f"{totals[RowResult.IMPORT_TYPE_SKIP]}."
    )


class ImportExportAdmin(ImportExportModelAdmin):
    export_form_class = ExportForm

    def add_success_message(self, result, request):
        messages.success(
            request, import_result_message(result, self.model._meta.verbose_name_plural)
        )
