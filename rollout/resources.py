"""django-import-export resources for the templates: checklist steps and plan items as xlsx with
Russian headers. Rows are matched by their code, so an exported file edited and imported back
updates the texts in place; a new row adds a step or an item, and the signals then create its
tasks for everyone it concerns (ticked tasks are untouched). Every row is validated with the
model's ``clean()`` (an unknown "Ответственный исполнитель" is a row error)."""

from import_export import fields, widgets

from organizations.models import Role
from organizations.resources import (
    OPTIONAL_TEXT,
    ChoiceLabelWidget,
    DecimalWidget,
    IntegerWidget,
    RegistryResource,
    YesNoWidget,
)

from .models import (
    ChecklistStepTemplate,
    ChecklistTemplate,
    EvidenceKind,
    PlanItemTemplate,
    PlanTemplate,
    Recurrence,
    Variant,
)


class ChecklistResource(RegistryResource):
    code = fields.Field("code", "Код чек-листа")
    actor = fields.Field("actor", "Кто выполняет", widget=ChoiceLabelWidget(Role.choices))
    variant = fields.Field(
        "variant", "Вариант", widget=ChoiceLabelWidget(Variant.choices, {"": ""})
    )
    title = fields.Field("title", "Название")
    is_active = fields.Field("is_active", "Действует", widget=YesNoWidget(blank=True))

    class Meta(RegistryResource.Meta):
        model = ChecklistTemplate
        fields = ("code", "actor", "variant", "title", "is_active")
        import_id_fields = ("code",)


class ChecklistStepResource(RegistryResource):
    checklist = fields.Field(
        "checklist",
        "Код чек-листа",
        widget=widgets.ForeignKeyWidget(ChecklistTemplate, field="code"),
    )
    code = fields.Field("code", "Код шага")
    order = fields.Field("order", "№", widget=IntegerWidget())
    title = fields.Field("title", "Шаг")
    short_title = fields.Field("short_title", "Кратко", widget=OPTIONAL_TEXT)
    hint = fields.Field("hint", "Пояснение", widget=OPTIONAL_TEXT)
    evidence = fields.Field(
        "evidence", "Подтверждение", widget=ChoiceLabelWidget(EvidenceKind.choices)
    )
    is_active = fields.Field("is_active", "Действует", widget=YesNoWidget(blank=True))

    class Meta(RegistryResource.Meta):
        model = ChecklistStepTemplate
        fields = (
            "checklist",
            "code",
            "order",
            "title",
            "short_title",
            "hint",
            "evidence",
            "is_active",
        )
        import_id_fields = ("code",)


class PlanItemResource(RegistryResource):
    plan = fields.Field(
        "plan", "Код плана", widget=widgets.ForeignKeyWidget(PlanTemplate, field="code")
    )
    code = fields.Field("code", "Код пункта")
    number = fields.Field("number", "№ п.п.")
    section = fields.Field("section", "Раздел")
    title = fields.Field("title", "Наименование мероприятия")
    description = fields.Field("description", "Полный текст показателя", widget=OPTIONAL_TEXT)
    hint = fields.Field("hint", "Пояснение", widget=OPTIONAL_TEXT)
    deadline_text = fields.Field("deadline_text", "Сроки", widget=OPTIONAL_TEXT)
    deadline_date = fields.Field(
        "deadline_date", "Срок (дата)", widget=widgets.DateWidget(format="%d.%m.%Y")
    )
    recurrence = fields.Field(
        "recurrence", "Периодичность", widget=ChoiceLabelWidget(Recurrence.choices)
    )
    responsible = fields.Field("responsible", "Ответственный исполнитель")
    expected_result = fields.Field("expected_result", "Результат")
    evidence = fields.Field(
        "evidence", "Подтверждение", widget=ChoiceLabelWidget(EvidenceKind.choices)
    )
    indicator = fields.Field(
        "indicator",
        "Показатель мониторинга",
        widget=ChoiceLabelWidget(
            PlanItemTemplate._meta.get_field("indicator").choices,
            # Files exported before the indicators had one list keep their labels.
            {
                "": "",
                "доля учителей, зарегистрированных в Сферум": "teachers_registered",
                "активность работников": "staff_activity",
            },
        ),
    )
    stage = fields.Field("stage", "Этап", widget=IntegerWidget())
    threshold_pct = fields.Field("threshold_pct", "Порог, %", widget=DecimalWidget())
    order = fields.Field("order", "Порядок", widget=IntegerWidget())
    is_active = fields.Field("is_active", "Действует", widget=YesNoWidget(blank=True))

    class Meta(RegistryResource.Meta):
        model = PlanItemTemplate
        fields = (
            "plan",
            "code",
            "number",
            "section",
            "title",
            "description",
            "hint",
            "deadline_text",
            "deadline_date",
            "recurrence",
            "responsible",
            "expected_result",
            "evidence",
            "indicator",
            "stage",
            "threshold_pct",
            "order",
            "is_active",
        )
        import_id_fields = ("plan", "code")
