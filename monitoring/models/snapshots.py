"""A snapshot is one organisation's statistics on one date, as the latest upload gave it."""

from django.db import models

from organizations.models import Organization

from ..importers.columns import COUNT_COLUMNS, HEADERS

# The export's counts, in the parser's canonical names (one list for the parser and the model).
# NULL means "no data", never 0.
COUNT_FIELDS: tuple[str, ...] = COUNT_COLUMNS
COUNT_LABELS = {
    **{name: HEADERS[name] for name in COUNT_FIELDS},
    "staff_active": "Активные сотрудники",
}


def _count(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(COUNT_LABELS[name], null=True, blank=True)


class Snapshot(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="snapshots", verbose_name="ОО"
    )
    date = models.DateField("дата")
    upload = models.ForeignKey(
        "monitoring.Upload",
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name="загрузка",
    )
    people_total = _count("people_total")
    teachers_total = _count("teachers_total")
    students_total = _count("students_total")
    parents_total = _count("parents_total")
    registrations_total = _count("registrations_total")
    teachers_registered = _count("teachers_registered")
    teachers_ejd = _count("teachers_ejd")
    students_registered = _count("students_registered")
    students_ejd = _count("students_ejd")
    parents_registered = _count("parents_registered")
    parents_ejd = _count("parents_ejd")
    students_active = _count("students_active")
    parents_active = _count("parents_active")
    staff_active = _count("staff_active")
    is_active = models.BooleanField("активна в Сферум", null=True)
    # Data-quality flags the parser raised for the row (codes), and every column of the file
    # the importer did not know, by header text: nothing in a file is lost.
    flags = models.JSONField("флаги", default=list, blank=True)
    extra = models.JSONField("прочие столбцы", default=dict, blank=True)
    updated_at = models.DateTimeField("обновлено", auto_now=True)

    class Meta:
        verbose_name = "срез статистики"
        verbose_name_plural = "срезы статистики"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "date"], name="snapshot_unique_date"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.date:%d.%m.%Y}"
