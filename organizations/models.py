"""Registry models: region → municipality (МО) → organisation (ОО) → class, and people in roles.

A person is a portal user; what they may see and do follows from their memberships (see
selectors.py and permissions.py). One person may hold several memberships.
"""

import re
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .links import is_http_url


class History(HistoricalRecords):
    """simple-history's ``HistoricalRecords``, minus the rows for saves that wrote none of the
    tracked fields (a login stamping ``last_login``, a password change): the audit log shows
    changes, not saves."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields is not None:
            tracked = {n for f in self.fields_included(instance) for n in (f.name, f.attname)}
            if tracked.isdisjoint(update_fields):
                return
        super().post_save(instance, created, using=using, **kwargs)

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        # The admin's history list prints ``history_object``: let the live object fill in the
        # fields the history leaves out (a task's step and organisation), so it names the task.
        extra["history_object"] = property(lambda record: record.instance)
        return extra

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = f"история: {model._meta.verbose_name}"
        options["verbose_name_plural"] = f"история: {model._meta.verbose_name_plural}"
        return options


def history_user_or(field: str):
    """``get_user`` for ``History``: the request's user, else the person the instance names
    (``field``): a service run by a Celery task or a test has no request, but records who."""

    def get_user(instance, request, **kwargs):
        if request is not None:
            return request.user
        return getattr(instance, field, None)

    return get_user


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Неизвестный часовой пояс «{value}».")


class OrgType(models.TextChoices):
    OU = "ou", "ОУ"
    DOU = "dou", "ДОУ"
    UDO = "udo", "УДО"
    SPO = "spo", "СПО"
    OUO = "ouo", "ОУО"
    OTHER = "other", "другое"


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField(
        "код региона",
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", "Код региона — две цифры, например 11.")],
    )
    timezone = models.CharField(
        "часовой пояс", max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )

    history = History()

    class Meta:
        verbose_name = "субъект РФ"
        verbose_name_plural = "субъекты РФ"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="субъект"
    )
    name = models.CharField("название", max_length=200)

    history = History()

    class Meta:
        verbose_name = "муниципальное образование (МО)"
        verbose_name_plural = "муниципальные образования (МО)"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def validate_http_url(value: str) -> None:
    """Organization.link: empty or an http(s) link (the rule is ``organizations.links``)."""
    if value and not is_http_url(value):
        raise ValidationError(
            "Допустима только ссылка http:// или https://.", code="invalid_url_scheme"
        )


class Organization(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organizations", verbose_name="МО"
    )
    sferum_id = models.PositiveBigIntegerField("ID организации в Сферум", unique=True)
    short_name = models.CharField("краткое название", max_length=500)
    # The requisites of the organisation's documents (rollout.documents): the Sferum export
    # carries only the short name, so these are typed by the organisation or the district.
    # db_default: the bulk SQL that adds organisations from an import leaves them out.
    full_name = models.CharField(
        "полное наименование",
        max_length=1000,
        blank=True,
        default="",
        db_default="",
        help_text="Как в уставе, например «Муниципальное бюджетное общеобразовательное "
        "учреждение «Средняя общеобразовательная школа № 1» г. Емвы».",
    )
    locality = models.CharField(
        "населённый пункт",
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="Место составления документов, например «г. Емва» или «пгт Синдор».",
    )
    org_type = models.CharField("тип ОО", max_length=8, choices=OrgType.choices, default=OrgType.OU)
    # Only http(s): the link is rendered as an <a href> on the organisation's page.
    link = models.URLField(
        "ссылка на сообщество", max_length=500, blank=True, validators=[validate_http_url]
    )
    is_active = models.BooleanField("активна", default=True)
    inn = models.CharField(
        "ИНН",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^(\d{10}|\d{12})$", "ИНН — 10 или 12 цифр.")],
    )
    kpp = models.CharField(
        "КПП",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", "КПП — 9 цифр.")],
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    history = History(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "образовательная организация (ОО)"
        verbose_name_plural = "образовательные организации (ОО)"
        ordering = ["short_name"]
        indexes = [models.Index(fields=["municipality", "org_type"])]

    def __str__(self) -> str:
        return self.short_name


class OrganizationAlias(models.Model):
    """A former name of an organisation, kept when an export renames it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="aliases", verbose_name="ОО"
    )
    name = models.CharField("прежнее название", max_length=500)
    replaced_on = models.DateField("заменено с даты", null=True, blank=True)
    created_at = models.DateTimeField("записано", auto_now_add=True)

    class Meta:
        verbose_name = "прежнее название ОО"
        verbose_name_plural = "прежние названия ОО"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="alias_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


_GRADE = re.compile(r"^\s*(\d{1,2})")


def class_grade(name: str) -> int | None:
    """The grade a class name starts with ("10А" → 10), so that "5А" sorts before "10А"."""
    match = _GRADE.match(name)
    return int(match.group(1)) if match else None


def class_name_key(name: str) -> str:
    """The key two class names are compared by: case and spaces ignored, so that «5 а», «5а»
    and «5А» are one class."""
    return "".join(name.split()).casefold()


class SchoolClassQuerySet(models.QuerySet):
    def active(self):
        """The classes in use (an archived class keeps its history and tasks, out of sight)."""
        return self.filter(archived_at__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        # ``save()`` is skipped in bulk: fill what it derives from the name.
        objs = list(objs)
        for obj in objs:
            obj.fill_derived()
        return super().bulk_create(objs, *args, **kwargs)


class SchoolClass(models.Model):
    """A class (класс) of a school or a group (группа) of a preschool or college.

    Names are compared by ``name_key`` (case and spaces ignored): one organisation has one
    active «5А», however it is typed; the name is kept as first typed. A removed class is
    archived (``archived_at``), never deleted: its history and its teachers' tasks stay.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="classes", verbose_name="ОО"
    )
    name = models.CharField("класс / группа", max_length=50)
    name_key = models.CharField("ключ названия", max_length=50, editable=False, default="")
    # Parsed from the name so that "5А" sorts before "10А".
    grade = models.PositiveSmallIntegerField("параллель", null=True, blank=True, editable=False)
    archived_at = models.DateTimeField("в архиве с", null=True, blank=True, editable=False)

    history = History()

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = "класс / группа"
        verbose_name_plural = "классы и группы"
        ordering = ["organization", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name_key"],
                condition=Q(archived_at__isnull=True),
                name="class_unique_name_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "grade"}
        super().save(*args, **kwargs)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def fill_derived(self) -> None:
        self.name = " ".join(self.name.split())
        self.name_key = class_name_key(self.name)
        self.grade = class_grade(self.name)

    def same_name_in_organization(self):
        """The active class of the organisation this one's name matches, if any."""
        if self.organization_id is None:
            return None
        return (
            SchoolClass.objects.active()
            .filter(organization_id=self.organization_id, name_key=class_name_key(self.name))
            .exclude(pk=self.pk)
            .first()
        )

    def clean(self) -> None:
        super().clean()
        if self.archived_at is None and (existing := self.same_name_in_organization()):
            raise ValidationError(
                {
                    "name": f"Класс «{existing.name}» уже есть в этой ОО (заглавные и строчные "
                    "буквы и пробелы в названии не различаются)."
                }
            )


class User(AbstractUser):
    """A person: a portal user, with the contact details district officials need."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=32, blank=True)

    # The password hash and the login stamp stay out of the history.
    history = History(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name", "patronymic"]

    def get_short_name(self) -> str:
        """How the admin greets the person («Добро пожаловать, Анна Сергеевна»): the name and
        patronymic, as one addresses a colleague; the full name when they are not set."""
        return " ".join(p for p in (self.first_name, self.patronymic) if p) or self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.last_name, self.first_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.username

    def __str__(self) -> str:
        return self.full_name


class Role(models.TextChoices):
    REGIONAL_COORDINATOR = "regional_coordinator", "региональный координатор"
    DISTRICT_LEAD = "district_lead", "районный ответственный"
    METHODOLOGIST = "methodologist", "методист"
    OO_ADMIN = "oo_admin", "администратор Сферум в ОО"
    OO_HEAD = "oo_head", "руководитель ОО"
    CLASS_TEACHER = "class_teacher", "классный руководитель"


# Which scope field each role uses. The methodologist works for a region or a municipality.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.REGIONAL_COORDINATOR: ("region",),
    Role.DISTRICT_LEAD: ("municipality",),
    Role.METHODOLOGIST: ("region", "municipality"),
    Role.OO_ADMIN: ("organization",),
    Role.OO_HEAD: ("organization",),
    Role.CLASS_TEACHER: ("organization",),
}
SCOPE_FIELDS = ("region", "municipality", "organization")


def _scope_is(field: str) -> Q:
    """Exactly one scope field set: the given one."""
    q = Q(**{f"{field}__isnull": False})
    for other in SCOPE_FIELDS:
        if other != field:
            q &= Q(**{f"{other}__isnull": True})
    return q


def _role_scope_rule() -> Q:
    rule = Q()
    for role, fields in ROLE_SCOPES.items():
        allowed = Q()
        for field in fields:
            allowed |= _scope_is(field)
        rule |= Q(role=role) & allowed
    return rule


class Membership(models.Model):
    """A person's role in a scope: a region, a municipality or an organisation (and classes)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="человек"
    )
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="субъект",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="МО",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="ОО",
    )
    classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="teacher_memberships", verbose_name="классы"
    )
    had_vkm_profile = models.BooleanField(
        "был профиль Сферум в ВКМ",
        default=False,
        help_text="Для классного руководителя: определяет вариант его чек-листа.",
    )
    created_at = models.DateTimeField("назначен", auto_now_add=True)

    history = History()

    class Meta:
        verbose_name = "роль"
        verbose_name_plural = "роли"
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(condition=_role_scope_rule(), name="membership_role_scope"),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(municipality__isnull=False),
                name="membership_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="membership_unique_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.scope_object})"

    @property
    def scope_object(self):
        return self.organization or self.municipality or self.region

    def clean(self) -> None:
        allowed = ROLE_SCOPES.get(self.role, ())
        set_fields = [f for f in SCOPE_FIELDS if getattr(self, f"{f}_id") is not None]
        if len(set_fields) != 1 or set_fields[0] not in allowed:
            names = {"region": "субъект", "municipality": "МО", "organization": "ОО"}
            expected = " или ".join(names[f] for f in allowed)
            raise ValidationError(
                f"Для роли «{self.get_role_display()}» укажите ровно одно: {expected}."
            )


class DataVersion(models.Model):
    """A token that every write to some data replaces, in the writer's transaction: figures
    cached under the token are never served after a change commits (see versions.py)."""

    name = models.CharField("данные", max_length=40, primary_key=True)
    token = models.CharField("версия", max_length=32)

    class Meta:
        verbose_name = "версия данных"
        verbose_name_plural = "версии данных"

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"


class Invitation(models.Model):
    """A role in an organisation offered to a person by e-mail.

    An invitation never touches an existing account: the names and phone the inviter typed are
    kept here and become the profile only of an account created by accepting. The role counts
    (a ``Membership`` exists) only once the person accepts; until then they appear on the
    organisation's page as the inviter typed them.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "ждёт ответа"
        ACCEPTED = "accepted", "принято"
        DECLINED = "declined", "отклонено"
        REVOKED = "revoked", "отозвано"

    email = models.EmailField("электронная почта")
    last_name = models.CharField("фамилия", max_length=150)
    first_name = models.CharField("имя", max_length=150)
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=32, blank=True)
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name="ОО"
    )
    classes = models.ManyToManyField(SchoolClass, blank=True, verbose_name="классы")
    had_vkm_profile = models.BooleanField("был профиль Сферум в ВКМ", default=False)
    # The account the invitation is for: the one that held the e-mail when it was sent, or the
    # one created by accepting it.
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="учётная запись",
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name="кто пригласил",
    )
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="роль",
    )
    created_at = models.DateTimeField("отправлено", auto_now_add=True)
    answered_at = models.DateTimeField("ответ", null=True, blank=True)

    history = History()

    class Meta:
        verbose_name = "приглашение"
        verbose_name_plural = "приглашения"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "role",
                "organization",
                condition=Q(status="pending"),
                name="invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} ({self.organization})"

    @property
    def typed_name(self) -> str:
        """The name as the inviter typed it."""
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)
