"""Weekly values: per organisation, per municipality and per region, for each ISO week.

Every rate is stored with its numerator and denominator; an area's rate is the sum of its
organisations' numerators over the sum of their denominators, never an average of percentages.
NULL means "no data" throughout. The computation lives in monitoring/weekly.py.
"""

from django.db import models

from organizations.models import Municipality, Organization, Region

# (indicator, numerator, denominator) in the snapshot's terms, for the documentation and the
# code that builds the SQL. The students-and-parents indicator counts parents only where its
# IndicatorRule says so (preschools).
RATE_INDICATORS: tuple[str, ...] = (
    "staff_activity",
    "students_parents_activity",
    "teachers_registered",
    "students_registered",
    "parents_registered",
    "teachers_ejd",
    "students_ejd",
    "parents_ejd",
)


def _num(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


def _pct(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=2, null=True, blank=True)


def _change(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=2, null=True, blank=True)


class RateColumns(models.Model):
    """Numerator, denominator and percentage of every rate indicator."""

    staff_activity_num = _num("активность сотрудников: числитель")
    staff_activity_den = _num("активность сотрудников: знаменатель")
    staff_activity_pct = _pct("активность сотрудников, %")
    students_parents_activity_num = _num("активность обучающихся и родителей: числитель")
    students_parents_activity_den = _num("активность обучающихся и родителей: знаменатель")
    students_parents_activity_pct = _pct("активность обучающихся и родителей, %")
    teachers_registered_num = _num("регистрация учителей: числитель")
    teachers_registered_den = _num("регистрация учителей: знаменатель")
    teachers_registered_pct = _pct("регистрация учителей, %")
    students_registered_num = _num("регистрация учеников: числитель")
    students_registered_den = _num("регистрация учеников: знаменатель")
    students_registered_pct = _pct("регистрация учеников, %")
    parents_registered_num = _num("регистрация родителей: числитель")
    parents_registered_den = _num("регистрация родителей: знаменатель")
    parents_registered_pct = _pct("регистрация родителей, %")
    teachers_ejd_num = _num("связь с ЭЖД: учителя: числитель")
    teachers_ejd_den = _num("связь с ЭЖД: учителя: знаменатель")
    teachers_ejd_pct = _pct("связь с ЭЖД: учителя, %")
    students_ejd_num = _num("связь с ЭЖД: ученики: числитель")
    students_ejd_den = _num("связь с ЭЖД: ученики: знаменатель")
    students_ejd_pct = _pct("связь с ЭЖД: ученики, %")
    parents_ejd_num = _num("связь с ЭЖД: родители: числитель")
    parents_ejd_den = _num("связь с ЭЖД: родители: знаменатель")
    parents_ejd_pct = _pct("связь с ЭЖД: родители, %")

    staff_activity_change = _change("изменение активности сотрудников за неделю, п. п.")
    students_parents_activity_change = _change(
        "изменение активности обучающихся и родителей за неделю, п. п."
    )
    computed_at = models.DateTimeField("рассчитано", auto_now=True)

    class Meta:
        abstract = True


class WeeklyOrganizationValue(RateColumns):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="weekly_values", verbose_name="ОО"
    )
    week_start = models.DateField("неделя (понедельник)")
    snapshot_date = models.DateField("дата среза")
    # Whether the organisation's type counts in each headline indicator (IndicatorRule).
    in_staff_indicator = models.BooleanField("учитывается в активности сотрудников")
    in_students_parents_indicator = models.BooleanField(
        "учитывается в активности обучающихся и родителей"
    )
    staff_stage1_met = models.BooleanField("сотрудники: этап 1 достигнут", null=True)
    staff_stage2_met = models.BooleanField("сотрудники: этап 2 достигнут", null=True)
    students_parents_stage1_met = models.BooleanField(
        "обучающиеся и родители: этап 1 достигнут", null=True
    )
    students_parents_stage2_met = models.BooleanField(
        "обучающиеся и родители: этап 2 достигнут", null=True
    )
    # The snapshot's data-quality flags, and whether any rate is above 100 % (more registered
    # or active than the ОО-1 form says: stale accounts or a wrong organisation).
    flags = models.JSONField("флаги", default=list, blank=True)
    rate_above_100 = models.BooleanField("показатель выше 100 %", default=False)

    class Meta:
        verbose_name = "недельное значение ОО"
        verbose_name_plural = "недельные значения ОО"
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "week_start"], name="weekly_org_unique_week"
            ),
        ]
        indexes = [models.Index(fields=["week_start"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.week_start:%d.%m.%Y}"


class AreaColumns(RateColumns):
    """What a municipality or a region sums up for a week."""

    week_start = models.DateField("неделя (понедельник)")
    organizations = models.PositiveIntegerField("ОО в реестре", default=0)
    organizations_with_data = models.PositiveIntegerField("ОО с данными", default=0)
    organizations_without_data = models.PositiveIntegerField("ОО без данных", default=0)
    organizations_flagged = models.PositiveIntegerField("ОО с замечаниями к данным", default=0)
    staff_stage1_met_count = models.PositiveIntegerField(
        "сотрудники: ОО достигли этапа 1", default=0
    )
    staff_stage2_met_count = models.PositiveIntegerField(
        "сотрудники: ОО достигли этапа 2", default=0
    )
    students_parents_stage1_met_count = models.PositiveIntegerField(
        "обучающиеся и родители: ОО достигли этапа 1", default=0
    )
    students_parents_stage2_met_count = models.PositiveIntegerField(
        "обучающиеся и родители: ОО достигли этапа 2", default=0
    )

    class Meta:
        abstract = True


class WeeklyMunicipalityValue(AreaColumns):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="weekly_values", verbose_name="МО"
    )

    class Meta:
        verbose_name = "недельное значение МО"
        verbose_name_plural = "недельные значения МО"
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "week_start"], name="weekly_mo_unique_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.week_start:%d.%m.%Y}"


class WeeklyRegionValue(AreaColumns):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="weekly_values", verbose_name="субъект"
    )

    class Meta:
        verbose_name = "недельное значение региона"
        verbose_name_plural = "недельные значения регионов"
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "week_start"], name="weekly_region_unique_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.week_start:%d.%m.%Y}"
