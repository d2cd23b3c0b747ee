"""Checklists per actor and the district action plan: templates (data) and their instances.

Templates are data, not code: ``ChecklistTemplate`` / ``ChecklistStepTemplate`` hold the steps of
each actor (seed 000), ``PlanTemplate`` / ``PlanItemTemplate`` the items of the district plan
(seed 004). The data migration ``0002_load_templates`` loads ``fixtures/rollout_templates.json``
into every database; ``manage.py load_rollout_templates`` reloads it after the file changes.

A ``Task`` is one instance of a step or item: a step per (step, membership, class for a class
teacher), an organisation-level plan item per (item, organisation), a district-level (УО) item per
(item, municipality). ``services.py`` keeps tasks in step with the registry. A task is never
deleted: when its membership, class or organisation disappears it is archived
(``archive_on_delete``), and its history (``StatusChange``) and evidence stay.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from monitoring.models import MEASURED_INDICATORS
from organizations.models import (
    History,
    Membership,
    Municipality,
    Organization,
    OrgType,
    Role,
    SchoolClass,
    history_user_or,
)


def archive_on_delete(collector, field, sub_objs, using):
    """``on_delete`` for a task's owner: detach the task and archive it in the same UPDATE.

    Like SET_NULL, but the task also leaves the active lists; its statuses, history and evidence
    are kept for the record.
    """
    now = timezone.now()
    model = field.model
    collector.add_field_update(field, None, sub_objs)
    collector.add_field_update(model._meta.get_field("archived"), True, sub_objs)
    collector.add_field_update(model._meta.get_field("archived_at"), now, sub_objs)


class Variant(models.TextChoices):
    """A checklist's variant for one actor (the class teacher has two)."""

    DEFAULT = "", "—"
    WITH_VKM = "with_vkm", "есть профиль Сферум в ВКМ"
    WITHOUT_VKM = "without_vkm", "нет профиля Сферум в ВКМ"


# The roles that tick a checklist of their own.
CHECKLIST_ROLES = (Role.DISTRICT_LEAD, Role.OO_ADMIN, Role.OO_HEAD, Role.CLASS_TEACHER)


class EvidenceKind(models.TextChoices):
    NONE = "none", "не требуется"
    ORDER = "order", "приказ: номер и дата"
    ORDER_APPOINTMENT = "order_appointment", "приказ: номер, дата и назначенные"
    LOCAL_ACT = "local_act", "локальный акт (файл)"
    FILE = "file", "файл (по желанию)"
    DISTRICT_CONTACTS = "contacts", "контакты районных администраторов"
    CONSULTATION_HOURS = "consultation_hours", "часы консультаций"


# Evidence a task must carry before it may be marked done.
EVIDENCE_REQUIRED_FOR_DONE = frozenset(
    {
        EvidenceKind.ORDER,
        EvidenceKind.ORDER_APPOINTMENT,
        EvidenceKind.LOCAL_ACT,
        EvidenceKind.DISTRICT_CONTACTS,
        EvidenceKind.CONSULTATION_HOURS,
    }
)
# The order (1.5) takes its signed scan too, beside its number, date and the people appointed.
FILE_EVIDENCE = frozenset(
    {EvidenceKind.LOCAL_ACT, EvidenceKind.FILE, EvidenceKind.ORDER_APPOINTMENT}
)


class Recurrence(models.TextChoices):
    NONE = "", "однократно"
    MONTHLY = "monthly", "ежемесячно"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "не начато"
    IN_PROGRESS = "in_progress", "в работе"
    DONE = "done", "выполнено"
    NOT_REQUIRED = "not_required", "не требуется"


CLOSED_STATUSES = frozenset({Status.DONE, Status.NOT_REQUIRED})


class ChecklistTemplate(models.Model):
    """The steps one actor takes (seed 000), e.g. the class teacher without a ВКМ profile."""

    code = models.SlugField("код", max_length=64, unique=True)
    actor = models.CharField("кто выполняет", max_length=32, choices=Role.choices)
    variant = models.CharField("вариант", max_length=32, choices=Variant.choices, blank=True)
    title = models.CharField("название", max_length=300)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "чек-лист"
        verbose_name_plural = "чек-листы"
        ordering = ["actor", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "variant"],
                condition=Q(is_active=True),
                name="checklist_one_active_per_actor_variant",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChecklistStepTemplate(models.Model):
    checklist = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="steps", verbose_name="чек-лист"
    )
    code = models.SlugField("код", max_length=64, unique=True)
    order = models.PositiveSmallIntegerField("№ по порядку")
    title = models.TextField("шаг")
    short_title = models.CharField(
        "кратко",
        max_length=60,
        blank=True,
        help_text="Несколько слов для однострочных сводок, например «список классов».",
    )
    hint = models.TextField("пояснение", blank=True)
    evidence = models.CharField(
        "подтверждение", max_length=32, choices=EvidenceKind.choices, default=EvidenceKind.NONE
    )
    is_active = models.BooleanField("действует", default=True)
    # Which monitoring indicators this step moves: a school below the target of one of them is
    # shown the step, while open, as its next step (rollout.next_steps). Data, from the fixture.
    indicators = models.JSONField(
        "двигает показатели",
        default=list,
        blank=True,
        help_text=(
            "Коды показателей, которые поднимает этот шаг: staff_activity, "
            "students_parents_activity, teachers_registered, students_registered, "
            "parents_registered."
        ),
    )

    class Meta:
        verbose_name = "шаг чек-листа"
        verbose_name_plural = "шаги чек-листов"
        ordering = ["checklist", "order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class PlanTemplate(models.Model):
    """A district action plan (seed 004): the items every district and organisation carries out."""

    code = models.SlugField("код", max_length=64, unique=True)
    title = models.TextField("название")
    basis = models.CharField("основание", max_length=300, blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "план мероприятий"
        verbose_name_plural = "планы мероприятий"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.basis or self.code


PLAN_ORG_TYPES = (OrgType.OU, OrgType.DOU, OrgType.UDO)
_RESPONSIBLE_TOKENS = {
    "уо": None,
    "оо": PLAN_ORG_TYPES,
    "оу": (OrgType.OU,),
    "доу": (OrgType.DOU,),
    "удо": (OrgType.UDO,),
}


def parse_responsible(text: str) -> tuple[bool, list[str]]:
    """ "УО, ОО" → (for the district, [ou, dou, udo]); raises ValueError on an unknown token.

    The plan's legend: ОО are ОУ, ДОУ, УДО; УО is the district's education department.
    """
    for_district, types = False, []
    tokens = [t.strip().lower() for t in text.replace(";", ",").split(",") if t.strip()]
    if not tokens:
        raise ValueError("Укажите ответственного исполнителя: УО, ОО, ОУ, ДОУ или УДО.")
    for token in tokens:
        if token not in _RESPONSIBLE_TOKENS:
            raise ValueError(
                f"Неизвестный ответственный исполнитель «{token}». Допустимо: УО, ОО, ОУ, ДОУ, УДО."
            )
        found = _RESPONSIBLE_TOKENS[token]
        if found is None:
            for_district = True
        else:
            types.extend(str(t) for t in found if str(t) not in types)
    order = [str(t) for t in PLAN_ORG_TYPES]
    return for_district, sorted(types, key=order.index)


class PlanItemTemplate(models.Model):
    plan = models.ForeignKey(
        PlanTemplate, on_delete=models.CASCADE, related_name="items", verbose_name="план"
    )
    code = models.CharField(
        "код",
        max_length=64,
        validators=[RegexValidator(r"^[0-9A-Za-z_.-]+$", "Код: латиница, цифры, точка, дефис.")],
        help_text="Постоянный ключ пункта, например 1.5 или 3.2-dou.",
    )
    number = models.CharField("№ п.п.", max_length=16)
    section = models.CharField("раздел", max_length=300)
    title = models.TextField("наименование мероприятия")
    description = models.TextField("полный текст показателя", blank=True)
    hint = models.TextField("пояснение", blank=True)
    deadline_text = models.CharField("сроки", max_length=100, blank=True)
    deadline_date = models.DateField(
        "срок (дата)",
        null=True,
        blank=True,
        help_text="Последний день срока: по нему считается просрочка.",
    )
    recurrence = models.CharField(
        "периодичность", max_length=16, choices=Recurrence.choices, blank=True
    )
    responsible = models.CharField(
        "ответственный исполнитель", max_length=100, help_text="Как в плане: УО, ОО, ОУ, ДОУ, УДО."
    )
    # Derived from ``responsible`` on save: whether the district does it, and which types of
    # organisation do it themselves.
    for_district = models.BooleanField("выполняет УО", default=False, editable=False)
    org_types = models.JSONField("типы ОО", default=list, blank=True, editable=False)
    expected_result = models.TextField("результат")
    evidence = models.CharField(
        "подтверждение", max_length=32, choices=EvidenceKind.choices, default=EvidenceKind.NONE
    )
    indicator = models.CharField(
        "показатель мониторинга",
        max_length=32,
        choices=[(i.value, i.label) for i in MEASURED_INDICATORS],
        blank=True,
    )
    stage = models.PositiveSmallIntegerField(
        "этап", null=True, blank=True, choices=[(1, "Этап 1"), (2, "Этап 2")]
    )
    threshold_pct = models.DecimalField(
        "порог, %", max_digits=5, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField("порядок")
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "пункт плана"
        verbose_name_plural = "пункты плана"
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_item_unique_code"),
            models.CheckConstraint(
                condition=Q(indicator="") | Q(stage__isnull=False) | Q(threshold_pct__isnull=False),
                name="plan_item_measured_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.for_district, self.org_types = parse_responsible(self.responsible)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            parse_responsible(self.responsible)
        except ValueError as exc:
            raise ValidationError({"responsible": str(exc)}) from exc
        if self.indicator and self.stage is None and self.threshold_pct is None:
            raise ValidationError({"stage": "Для показателя укажите этап или порог в процентах."})

    @property
    def is_measured(self) -> bool:
        return bool(self.indicator)

    @property
    def label(self) -> str:
        """The number, with the types when two items share it (3.2 ДОУ / 3.2 ОУ, УДО)."""
        if "-" in self.code:
            return f"{self.number} {self.responsible}"
        return self.number


class Task(models.Model):
    """One step of one person (per class for a class teacher), or one plan item of one
    organisation or district."""

    step = models.ForeignKey(
        ChecklistStepTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="tasks",
        verbose_name="шаг",
    )
    plan_item = models.ForeignKey(
        PlanItemTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name="пункт плана",
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=archive_on_delete,
        null=True,
        blank=True,
        db_index=False,
        related_name="rollout_tasks",
        verbose_name="роль",
    )
    # Kept when the membership goes, so that the record still says whose step it was and a
    # re-added role gets its ticks back.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="rollout_tasks",
        verbose_name="исполнитель",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=archive_on_delete,
        null=True,
        blank=True,
        db_index=False,
        related_name="rollout_tasks",
        verbose_name="ОО",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=archive_on_delete,
        null=True,
        blank=True,
        db_index=False,
        related_name="rollout_tasks",
        verbose_name="МО (для пунктов УО и шагов районного ответственного)",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=archive_on_delete,
        null=True,
        blank=True,
        db_index=False,
        related_name="rollout_tasks",
        verbose_name="класс / группа",
    )
    class_name = models.CharField("класс / группа", max_length=50, blank=True)
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    comment = models.TextField("комментарий", blank=True)
    reason = models.TextField("причина («не требуется»)", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name="кто изменил",
    )
    changed_at = models.DateTimeField("когда изменено", null=True, blank=True)
    archived = models.BooleanField("в архиве", default=False)
    archived_at = models.DateTimeField("в архиве с", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    # The audit keeps what a person changes: status, comment, reason, archived. Without a
    # request (a service called by a task or a script) the change is ``changed_by``'s.
    history = History(
        excluded_fields=[
            "step", "plan_item", "membership", "user", "organization", "municipality",
            "school_class", "class_name", "changed_by", "changed_at", "archived_at", "created_at",
        ],
        get_user=history_user_or("changed_by"),
    )  # fmt: skip

    class Meta:
        verbose_name = "шаг / пункт плана"
        verbose_name_plural = "шаги и пункты плана (исполнение)"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(step__isnull=False) & Q(plan_item__isnull=True))
                | (Q(step__isnull=True) & Q(plan_item__isnull=False)),
                name="task_step_xor_plan_item",
            ),
            models.UniqueConstraint(
                fields=["step", "membership"],
                condition=Q(membership__isnull=False, school_class__isnull=True),
                name="task_unique_step_membership",
            ),
            models.UniqueConstraint(
                fields=["step", "membership", "school_class"],
                condition=Q(membership__isnull=False, school_class__isnull=False),
                name="task_unique_step_membership_class",
            ),
            # One plan item once per organisation and per district. Not partial: a NULL item
            # (a step) never conflicts, and the organisation (district) leads, so the same
            # index serves every lookup of a place's tasks.
            models.UniqueConstraint(
                fields=["organization", "plan_item"], name="task_unique_organization_item"
            ),
            models.UniqueConstraint(
                fields=["municipality", "plan_item"], name="task_unique_municipality_item"
            ),
        ]
        # The other foreign keys are indexed only where set: a national registry has a
        # million plan tasks with no step, person or class, and each index is written per row.
        indexes = [
            models.Index(
                fields=["user", "archived"], condition=Q(user__isnull=False), name="task_user"
            ),
            models.Index(fields=["step"], condition=Q(step__isnull=False), name="task_step"),
            # The archived few, found without reading the million active tasks.
            models.Index(fields=["archived"], condition=Q(archived=True), name="task_archived"),
            models.Index(
                fields=["membership"], condition=Q(membership__isnull=False), name="task_membership"
            ),
            models.Index(
                fields=["school_class"],
                condition=Q(school_class__isnull=False),
                name="task_school_class",
            ),
            models.Index(
                fields=["changed_by"], condition=Q(changed_by__isnull=False), name="task_changed_by"
            ),
        ]

    def __str__(self) -> str:
        template = self.step or self.plan_item
        where = self.class_name or self.organization or self.municipality or ""
        return f"{template} — {where}"

    @property
    def template(self):
        return self.step if self.step_id else self.plan_item

    @property
    def evidence_kind(self) -> str:
        return self.template.evidence

    @property
    def is_measured(self) -> bool:
        return bool(self.plan_item_id and self.plan_item.indicator)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random name: the file is never served from a public URL, and the name reveals nothing.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"rollout/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """What a person attached to a task: an order's details or a file. Each submission is a new
    row; the newest is the current one, older ones stay in the history."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="evidence_items", verbose_name="задача"
    )
    kind = models.CharField("вид", max_length=32, choices=EvidenceKind.choices)
    order_number = models.CharField("номер приказа", max_length=64, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    appointed_responsible = models.CharField(
        (
            "ответственный за внедрение и использование платформы Сферум "
            "в национальном мессенджере МАХ"
        ),
        max_length=300,
        blank=True,
    )
    appointed_admin = models.CharField(
        "администратор, ответственный за сопровождение (техническое)", max_length=300, blank=True
    )
    staff_acquainted = models.BooleanField("сотрудники ознакомлены с приказом", default=False)
    file = models.FileField("файл", upload_to=evidence_upload_to, max_length=200, blank=True)
    original_name = models.CharField("имя файла", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("размер, байт", null=True, blank=True)
    content_kind = models.CharField("тип содержимого", max_length=8, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="кто приложил",
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "подтверждение"
        verbose_name_plural = "подтверждения"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        if self.file:
            return f"Файл «{self.original_name}»"
        parts = []
        if self.order_number or self.order_date:
            date = f" от {self.order_date:%d.%m.%Y}" if self.order_date else ""
            parts.append(f"Приказ № {self.order_number}{date}")
        if self.appointed_responsible:
            parts.append(f"ответственный: {self.appointed_responsible}")
        if self.appointed_admin:
            parts.append(f"администратор: {self.appointed_admin}")
        if self.staff_acquainted:
            parts.append("сотрудники ознакомлены")
        return "; ".join(parts)


class StatusChange(models.Model):
    """One change of a task: who, when, the old and new status, the comment and evidence."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="changes", verbose_name="задача"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="кто",
    )
    changed_at = models.DateTimeField("когда", default=timezone.now)
    old_status = models.CharField("было", max_length=16, choices=Status.choices)
    new_status = models.CharField("стало", max_length=16, choices=Status.choices)
    comment = models.TextField("комментарий", blank=True)
    reason = models.TextField("причина", blank=True)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="подтверждение",
    )

    class Meta:
        verbose_name = "изменение статуса"
        verbose_name_plural = "история изменений"
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["task", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_old_status_display()} → {self.get_new_status_display()}"


class DistrictContacts(models.Model):
    """What a district lead publishes for the organisations of the district (their steps 1 and 4):
    the district administrators' contacts and the consultation hours."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="rollout_contacts",
        verbose_name="МО",
    )
    contacts = models.TextField(
        "контакты районных администраторов",
        blank=True,
        help_text="ФИО, телефон, электронная почта, ссылка на чат — как их увидят школы.",
    )
    consultation_hours = models.TextField(
        "часы консультаций для школьных администраторов",
        blank=True,
        help_text="Например: вторник и четверг, 14:00–16:00, каб. 12 или по телефону.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="кто опубликовал",
    )
    updated_at = models.DateTimeField("опубликовано", auto_now=True)

    class Meta:
        verbose_name = "контакты района"
        verbose_name_plural = "контакты районов"

    def __str__(self) -> str:
        return f"Контакты: {self.municipality}"


class DocumentKind(models.TextChoices):
    """The ready-to-sign drafts of the plan (rollout.documents), by the plan item they serve."""

    ORDER = "order", "Приказ «О внедрении и использовании…» (п. 1.5)"
    LOCAL_ACT = "local_act", "Положение об использовании ИКОП «Сферум» в МАХ (п. 1.6)"


def document_template_upload_to(instance: "DocumentTemplate", filename: str) -> str:
    return f"rollout/document_templates/{instance.kind}-{instance.org_type or 'all'}.docx"


class DocumentTemplate(models.Model):
    """An administrator's own .docx template for a draft, replacing the one the portal ships
    (``rollout/document_templates/``) for one kind and organisation type, or for every type."""

    kind = models.CharField("документ", max_length=16, choices=DocumentKind.choices)
    org_type = models.CharField(
        "тип ОО",
        max_length=8,
        choices=OrgType.choices,
        blank=True,
        help_text="Пусто — для всех типов, у которых нет своего шаблона.",
    )
    file = models.FileField("шаблон .docx", upload_to=document_template_upload_to, max_length=200)
    is_active = models.BooleanField("действует", default=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "шаблон документа"
        verbose_name_plural = "шаблоны документов"
        ordering = ["kind", "org_type"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "org_type"], name="document_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_org_type_display() or 'все типы'}"
