"""Forms of the rollout pages: changing a task's status (with comment, reason and evidence), the
district's contacts, and the matrix filters."""

from django import forms

from organizations.models import OrgType
from sferum_portal.params import clean_text

from .evidence import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_TEXT,
    EvidenceFileError,
    evidence_file_check,
    format_size,
    max_bytes,
)
from .matrix import STATUS_FILTERS
from .models import FILE_EVIDENCE, DistrictContacts, EvidenceKind, Status
from .services import EvidenceInput

ORDER_KINDS = (EvidenceKind.ORDER, EvidenceKind.ORDER_APPOINTMENT)
FILE_LABELS = {
    EvidenceKind.FILE: "Файл",
    EvidenceKind.ORDER_APPOINTMENT: "Скан подписанного приказа (по желанию)",
}


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label="Статус", choices=Status.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Комментарий",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Что сделано, что мешает, к какому сроку.",
    )
    reason = forms.CharField(
        label="Причина, если «не требуется»",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, task, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("status", task.status)
        initial.setdefault("comment", task.comment)
        initial.setdefault("reason", task.reason)
        super().__init__(*args, **kwargs)
        self.task = task
        kind = task.evidence_kind
        if kind in ORDER_KINDS:
            self.fields["order_number"] = forms.CharField(
                label="Номер приказа", max_length=64, required=False
            )
            self.fields["order_date"] = forms.DateField(
                label="Дата приказа",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        if kind == EvidenceKind.ORDER_APPOINTMENT:
            self.fields["appointed_responsible"] = forms.CharField(
                label=(
                    "Ответственный за внедрение и использование платформы Сферум "
                    "в национальном мессенджере МАХ (ФИО, должность)"
                ),
                max_length=300,
                required=False,
            )
            self.fields["appointed_admin"] = forms.CharField(
                label=(
                    "Администратор, ответственный за сопровождение (техническое) платформы "
                    "Сферум в национальном мессенджере МАХ (ФИО, должность)"
                ),
                max_length=300,
                required=False,
            )
            self.fields["staff_acquainted"] = forms.BooleanField(
                label="Сотрудники ознакомлены с приказом", required=False
            )
        if kind in FILE_EVIDENCE:
            self.fields["file"] = forms.FileField(
                label=FILE_LABELS.get(kind, "Файл локального акта"),
                required=False,
                help_text=f"{ALLOWED_TEXT}, не больше {format_size(max_bytes())}.",
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            try:
                evidence_file_check(uploaded)
            except EvidenceFileError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.NOT_REQUIRED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Укажите, почему шаг не требуется.")
        return data

    def evidence_input(self) -> EvidenceInput:
        data = self.cleaned_data
        return EvidenceInput(
            order_number=(data.get("order_number") or "").strip(),
            order_date=data.get("order_date"),
            appointed_responsible=(data.get("appointed_responsible") or "").strip(),
            appointed_admin=(data.get("appointed_admin") or "").strip(),
            staff_acquainted=bool(data.get("staff_acquainted")),
            file=data.get("file") or None,
        )

    @property
    def evidence_fields(self):
        names = [
            "order_number",
            "order_date",
            "appointed_responsible",
            "appointed_admin",
            "staff_acquainted",
            "file",
        ]
        return [self[name] for name in names if name in self.fields]


class DistrictContactsForm(forms.ModelForm):
    class Meta:
        model = DistrictContacts
        fields = ["contacts", "consultation_hours"]
        widgets = {
            "contacts": forms.Textarea(attrs={"rows": 5}),
            "consultation_hours": forms.Textarea(attrs={"rows": 3}),
        }


class MatrixFilterForm(forms.Form):
    q = forms.CharField(label="Поиск по названию или ID Сферум", required=False)
    type = forms.ChoiceField(
        label="Тип ОО", required=False, choices=[("", "Все типы"), *OrgType.choices]
    )
    status = forms.ChoiceField(
        label="Статус", required=False, choices=[("", "Любой"), *STATUS_FILTERS]
    )
    col = forms.ChoiceField(label="В столбце", required=False)
    overdue = forms.BooleanField(label="Только с просрочкой", required=False)
    sort = forms.ChoiceField(
        label="Порядок",
        required=False,
        choices=[("", "по названию"), ("progress", "сначала отстающие")],
    )

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["col"].choices = [("", "в любом столбце")] + [
            (c.key, f"{c.label} — {c.title[:60]}") for c in columns
        ]

    def clean_q(self) -> str:
        return clean_text(self.cleaned_data["q"])

    def values(self) -> dict:
        """The filters; an invalid form (a value no choice has) counts as no filter at all."""
        if not self.is_valid():
            return {"q": "", "type": "", "status": "", "col": "", "overdue": False, "sort": ""}
        return dict(self.cleaned_data)
