"""An upload is one Sferum export file a person sent, with what became of it."""

import uuid

from django.conf import settings
from django.db import models

from monitoring.importers.problems import organization_label
from organizations.models import History, history_user_or


def upload_path(instance: "Upload", filename: str) -> str:
    # The stored name never comes from the user: the original name is kept in file_name.
    return f"uploads/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.xlsx"


class Upload(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", "проверяется"
        PREVIEW = "preview", "ожидает подтверждения"
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "загружается"
        DONE = "done", "загружено"
        DUPLICATE = "duplicate", "уже загружено ранее"
        REJECTED = "rejected", "не загружено: ошибки в файле"
        FAILED = "failed", "сбой при загрузке"
        CANCELLED = "cancelled", "отменено"

    ACTIVE_STATUSES = (Status.CHECKING, Status.QUEUED, Status.RUNNING)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name="кто загрузил",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField("поставлено в очередь", null=True, blank=True)
    started_at = models.DateTimeField("начало записи", null=True, blank=True)
    finished_at = models.DateTimeField("окончание", null=True, blank=True)
    file = models.FileField("файл", upload_to=upload_path, max_length=200)
    file_name = models.CharField("имя файла", max_length=255)
    file_size = models.PositiveBigIntegerField("размер, байт", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    skip_invalid = models.BooleanField("загрузить только корректные строки", default=False)
    # Confirmed in the preview: move organisations to the МО the file names (within scope).
    move_organizations = models.BooleanField("перенести ОО в МО из файла", default=False)
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.PREVIEW, db_index=True
    )
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    progress_note = models.CharField("этап", max_length=200, blank=True)
    dates = models.JSONField("даты в файле", default=list, blank=True)
    rows_total = models.PositiveIntegerField("строк с данными", default=0)
    rows_written = models.PositiveIntegerField("записано", default=0)
    rows_unchanged = models.PositiveIntegerField("без изменений", default=0)
    rows_skipped = models.PositiveIntegerField("пропущено (ошибки)", default=0)
    rows_out_of_scope = models.PositiveIntegerField("вне зоны ответственности", default=0)
    errors_count = models.PositiveIntegerField("ошибок", default=0)
    warnings_count = models.PositiveIntegerField("предупреждений", default=0)
    organizations_created = models.PositiveIntegerField("новых ОО", default=0)
    organizations_renamed = models.PositiveIntegerField("переименовано ОО", default=0)
    municipalities_created = models.PositiveIntegerField("новых МО", default=0)
    # The preview: organisations per municipality, new and renamed organisations, rows outside
    # the uploader's scope, unknown columns (lists capped for display).
    summary = models.JSONField("сводка", default=dict, blank=True)
    error_message = models.TextField("причина сбоя", blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="повтор загрузки",
    )
    task_id = models.CharField("задача Celery", max_length=64, blank=True)
    # The municipalities whose organisations the upload wrote: who else may see it.
    municipalities = models.ManyToManyField(
        "organizations.Municipality", blank=True, related_name="uploads", verbose_name="МО"
    )
    # The audit keeps the status and the counts (and the name and date, which never change);
    # the rest is the upload's own record. Without a request (a Celery worker) the change is the
    # uploader's.
    history = History(
        excluded_fields=[
            "uploaded_by", "queued_at", "started_at", "finished_at", "file", "file_size", "sha256",
            "skip_invalid", "move_organizations", "progress", "progress_note", "dates", "summary",
            "error_message", "duplicate_of", "task_id",
        ],
        get_user=history_user_or("uploaded_by"),
    )  # fmt: skip

    class Meta:
        verbose_name = "загрузка статистики"
        verbose_name_plural = "загрузки статистики"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class UploadProblem(models.Model):
    """A located error or warning of an upload: file, sheet, Excel row and column."""

    class Severity(models.TextChoices):
        ERROR = "error", "ошибка"
        WARNING = "warning", "предупреждение"

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="problems")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    code = models.CharField(max_length=40)
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=8, blank=True)
    header = models.CharField(max_length=300, blank=True)
    message = models.TextField()
    # The organisation of the problem's row as the file gives it (the «ID организация» cell:
    # the ID, or its raw text when unreadable; the «Краткое наименование» cell) and, when the
    # ID is in the registry, the registry's short name. Empty for a file-level problem and for
    # rows that are no organisation (subtotals, notes).
    sferum_id = models.CharField("ID Сферум", max_length=100, blank=True)
    organization_name = models.CharField("ОО в файле", max_length=300, blank=True)
    registry_name = models.CharField("ОО в реестре", max_length=300, blank=True)
    # The registered МО the problem's row concerns (its organisation's, and the one the file
    # names when it differs): who besides the uploader may read it. None: a file-level
    # problem, or a row the importer could not place.
    municipality = models.ForeignKey(
        "organizations.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    municipality_in_file = models.ForeignKey(
        "organizations.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "замечание к загрузке"
        verbose_name_plural = "замечания к загрузкам"
        ordering = ["upload", "id"]
        indexes = [models.Index(fields=["upload", "severity"])]

    def __str__(self) -> str:
        return self.message

    @property
    def organization_label(self) -> str:
        """«ОО «name», ID Сферум 123» (the registry's name first), "" for a file-level
        problem."""
        return organization_label(self.registry_name or self.organization_name, self.sferum_id)
