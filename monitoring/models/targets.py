"""Targets as data: the indicators, which organisation types count in them, and the Stage 1
(per-region baseline) and Stage 2 (75 % / 30 %) targets with their due and effective dates."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organizations.models import History, OrgType, Region


class Indicator(models.TextChoices):
    STAFF_ACTIVITY = "staff_activity", "Активность сотрудников"
    STUDENTS_PARENTS_ACTIVITY = (
        "students_parents_activity",
        "Активность обучающихся и родителей",
    )
    TEACHERS_REGISTERED = "teachers_registered", "Учителей зарегистрировано"
    STUDENTS_REGISTERED = "students_registered", "Учеников зарегистрировано"
    PARENTS_REGISTERED = "parents_registered", "Родителей зарегистрировано"


# The indicators a plan item of the rollout can be measured by (monitoring.measures reads them).
MEASURED_INDICATORS = (
    Indicator.TEACHERS_REGISTERED,
    Indicator.STAFF_ACTIVITY,
    Indicator.STUDENTS_PARENTS_ACTIVITY,
)


class IndicatorRule(models.Model):
    """Which organisation types an indicator counts, and where it counts parents only.

    One row per indicator, and each rate of the weekly values reads its own row
    (monitoring/weekly.py): an area sums a rate over the organisations of the row's types.
    "Parents only" is a rule of the students-and-parents activity alone; a registration rate
    leaves a type out instead (students_registered without ДОУ: preschools count parents only).
    """

    indicator = models.CharField(
        "показатель", max_length=32, choices=Indicator.choices, unique=True
    )
    org_types = models.JSONField(
        "типы ОО, которые учитываются",
        default=list,
        help_text="Коды типов: ou, dou, udo, spo, ouo, other.",
    )
    parents_only_types = models.JSONField(
        "типы ОО, где учитываются только родители",
        default=list,
        blank=True,
        help_text="Для показателя активности обучающихся и родителей: в ДОУ — только родители.",
    )

    history = History()

    class Meta:
        verbose_name = "правило показателя"
        verbose_name_plural = "правила показателей"
        ordering = ["indicator"]

    def __str__(self) -> str:
        return self.get_indicator_display()

    def clean(self) -> None:
        known = set(OrgType.values)
        for name in ("org_types", "parents_only_types"):
            unknown = set(getattr(self, name) or []) - known
            if unknown:
                raise ValidationError({name: f"Неизвестные типы ОО: {', '.join(sorted(unknown))}."})
        if self.parents_only_types and self.indicator != Indicator.STUDENTS_PARENTS_ACTIVITY:
            raise ValidationError(
                {
                    "parents_only_types": "«Только родители» задаётся лишь для активности "
                    "обучающихся и родителей; для показателя регистрации уберите тип ОО из "
                    "учитываемых."
                }
            )


# The project's first targets are for the 2024/25 school year's best values, the first data is of
# autumn 2025: nothing takes effect before 2025. A target is planned at most a school year ahead,
# so a start more than a year away is a typo (9999 for 2025) that would outlive every later edit.
EFFECTIVE_EARLIEST = dt.date(2025, 1, 1)


def effective_date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a target may take effect on (or end on): from EFFECTIVE_EARLIEST to the same
    day a year after today."""
    today = today or timezone.localdate()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + 1, day=28)
    return EFFECTIVE_EARLIEST, latest


def validate_effective_date(value: dt.date) -> None:
    """The one rule for a target's dates: the form, the service and Target.clean (the admin)
    all call it."""
    earliest, latest = effective_date_range()
    if not earliest <= value <= latest:
        raise ValidationError(
            f"Укажите дату с {earliest:%d.%m.%Y} по {latest:%d.%m.%Y}: не раньше начала "
            "проекта и не больше чем на год вперёд.",
            code="effective_date_range",
        )


class Target(models.Model):
    class Stage(models.IntegerChoices):
        STAGE_1 = 1, "Этап 1 (лучшее значение региона в ВКМ 2024/25)"
        STAGE_2 = 2, "Этап 2"

    indicator = models.CharField("показатель", max_length=32, choices=Indicator.choices)
    stage = models.PositiveSmallIntegerField("этап", choices=Stage.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name="субъект",
        help_text="Для этапа 1 обязателен: базовое значение своё у каждого региона. "
        "Пусто — цель для всех регионов.",
    )
    value_pct = models.DecimalField(
        "целевое значение, %",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    due_date = models.DateField("срок достижения")
    effective_from = models.DateField("действует с")
    effective_to = models.DateField("действует по", null=True, blank=True)
    note = models.CharField("примечание", max_length=300, blank=True)

    history = History()

    class Meta:
        verbose_name = "целевой показатель"
        verbose_name_plural = "целевые показатели"
        ordering = ["indicator", "stage", "region", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage=1) | Q(region__isnull=False),
                name="target_stage1_has_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "stage", "region", "effective_from"],
                condition=Q(region__isnull=False),
                name="target_unique_start_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "stage", "effective_from"],
                condition=Q(region__isnull=True),
                name="target_unique_start_all_regions",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "все регионы"
        stage = self.get_stage_display()
        return f"{self.get_indicator_display()}, {stage}: {self.value_pct} % ({where})"

    def clean(self) -> None:
        # The range only widens as days pass: a date accepted once stays valid, and a row
        # written before the rule (a start in 9999) must get a sane date when next edited.
        errors = {}
        for name in ("effective_from", "effective_to"):
            if value := getattr(self, name):
                try:
                    validate_effective_date(value)
                except ValidationError as exc:
                    errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "Дата окончания раньше даты начала."})
