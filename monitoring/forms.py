"""Forms of the monitoring pages."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from monitoring.importers.registry import MOVE_LABEL
from monitoring.models.targets import validate_effective_date

# The kind is told by content when the file is checked (monitoring.importers.formats).
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")
ACCEPTED_FORMATS = "Excel (.xlsx, .xls), OpenDocument (.ods) или CSV"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def check_statistics_file(uploaded) -> None:
    """Refuse what cannot be a Sferum export before it is stored: wrong name or size. The
    content is inspected once, by the check (monitoring.services.upload_check), in the request
    for small files and in a task for big ones."""
    name = uploaded.name
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise forms.ValidationError(f"Файл «{name}»: нужна выгрузка Сферум: {ACCEPTED_FORMATS}.")
    if uploaded.size > settings.STATS_UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            f"Файл «{name}» слишком большой ({filesizeformat(uploaded.size)}); "
            f"допустимо до {filesizeformat(settings.STATS_UPLOAD_MAX_BYTES)}."
        )


class StatisticsUploadForm(forms.Form):
    files = MultipleFileField(
        label="Файлы выгрузки (xlsx, xls, ods, csv)",
        allow_empty_file=True,  # refused by check_statistics_file, with the file's name
        widget=MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
        help_text=f"{ACCEPTED_FORMATS}. Можно выбрать или перетащить сюда несколько файлов.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        errors = []
        for uploaded in files:
            try:
                check_statistics_file(uploaded)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


class ConfirmUploadForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label="Загрузить только корректные строки",
        required=False,
        help_text="Строки с ошибками будут пропущены; загрузка запомнит, что пропущено.",
    )
    move_organizations = forms.BooleanField(
        label=MOVE_LABEL,
        required=False,
        help_text="ОО из списка переносов перейдут в МО, указанное в файле; перенос запишется "
        "в журнал изменений. Без отметки эти строки не загружаются.",
    )


class Stage1BaselinesForm(forms.Form):
    staff_activity = forms.DecimalField(
        label="Активность сотрудников, % (этап 1)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        localize=True,  # «50,5» as a Russian writes it, and «50.5» too
    )
    students_parents_activity = forms.DecimalField(
        label="Активность обучающихся и родителей, % (этап 1)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        localize=True,
    )
    effective_from = forms.DateField(
        label="Действует с",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_effective_date],
        help_text="Недели с этой даты пересчитаются с новым значением; прежнее сохранится в "
        "истории. По умолчанию — начало действующего значения (или первая неделя с данными), "
        "чтобы исправление коснулось всех его недель.",
    )
