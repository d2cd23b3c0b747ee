"""django-import-export resources for the registry tables, with Russian column headers.

Each resource validates every row (full_clean, including the model's constraints); the admin
import shows row errors and writes nothing while any row is wrong.
"""

from import_export import fields, resources, widgets

from sferum_portal.xlsx import safe_text, unsafe_text

from .links import safe_http_url
from .models import (
    Membership,
    Municipality,
    Organization,
    OrgType,
    Region,
    Role,
    SchoolClass,
    User,
    class_name_key,
)

REGION_CODE = "Код региона"
MUNICIPALITY = "МО"
SFERUM_ID = "ID организация"


# Optional text columns: an empty cell is an empty string, never NULL.
OPTIONAL_TEXT = widgets.CharWidget(allow_blank=True)


class RegionCodeWidget(widgets.CharWidget):
    """Region codes are two digits; spreadsheets turn "05" into 5 or 5.0."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip() if value is not None else ""
        return text.zfill(2) if text.isdigit() else text


class RussianNumberMixin:
    """A cell that is not a number is a row error in Russian that quotes the cell, under its
    column in the import preview; the library let Python's «[<class
    'decimal.ConversionSyntax'>]» through as a crash of the row."""

    example = "например 75"

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (ArithmeticError, ValueError, TypeError):
            raise ValueError(f"«{value}» — не число ({self.example}).") from None


class IntegerWidget(RussianNumberMixin, widgets.IntegerWidget):
    example = "целое, например 75"


class DecimalWidget(RussianNumberMixin, widgets.DecimalWidget):
    example = "например 75 или 75,5"


class ChoiceLabelWidget(widgets.Widget):
    """Reads a choice by its code or its Russian label; writes the label."""

    def __init__(self, choices, aliases: dict[str, str] | None = None, **kwargs):
        self.by_key = {}
        for code, label in choices:
            self.by_key[str(code).lower()] = code
            self.by_key[str(label).lower()] = code
        for alias, code in (aliases or {}).items():
            self.by_key[alias.lower()] = code
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        key = str(value or "").strip().lower()
        if key not in self.by_key:
            allowed = ", ".join(str(label) for label in self.labels.values())
            raise ValueError(f"Неизвестное значение «{value}». Допустимо: {allowed}.")
        return self.by_key[key]

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class YesNoWidget(widgets.BooleanWidget):
    """Booleans as «да»/«нет»; also reads the export's «Активна»/«Неактивна»."""

    TRUE = {"да", "1", "true", "активна", "yes", "истина"}
    FALSE = {"нет", "0", "false", "неактивна", "не активна", "no", "ложь"}

    def __init__(self, blank: bool, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in ("", None):
            return self.blank
        key = str(value).strip().lower()
        if key in self.TRUE or value is True:
            return True
        if key in self.FALSE or value is False:
            return False
        raise ValueError(f"Ожидалось «да» или «нет», получено «{value}».")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("да" if value else "нет")


class HttpLinkWidget(widgets.CharWidget):
    """A community link: empty, or an http(s) address (``safe_http_url``); anything else
    (javascript:, data:, ftp:…) is a row error naming the column, so nothing is written."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text or not text.strip():
            return ""
        link = safe_http_url(text)
        if link is None:
            raise ValueError(
                f"Ссылка «{text[:200]}» не сохранена: допустима только ссылка http:// или https://."
            )
        return link


class MunicipalityWidget(widgets.ForeignKeyWidget):
    """A municipality by its name within the row's region code."""

    def __init__(self, **kwargs):
        super().__init__(Municipality, field="name", **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        code = RegionCodeWidget().clean(row.get(REGION_CODE))
        return Municipality.objects.filter(region__code=code)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Municipality.DoesNotExist as exc:
            code = row.get(REGION_CODE)
            raise ValueError(f"МО «{value}» не найдено в регионе с кодом «{code}».") from exc


class OrganizationWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Organization, field="sferum_id", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip().lstrip("'")
        try:
            return super().clean(int(float(value)) if value not in ("", None) else None, row)
        except (Organization.DoesNotExist, ValueError) as exc:
            raise ValueError(f"ОО с ID Сферум «{value}» нет в реестре.") from exc


class RegionWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Region, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        code = RegionCodeWidget().clean(value)
        try:
            return super().clean(code, row, **kwargs)
        except Region.DoesNotExist as exc:
            raise ValueError(f"Региона с кодом «{value}» нет в реестре.") from exc


class FormulaSafeMixin:
    """Exported text that a spreadsheet would run as a formula (=, +, -, @), at its start or
    after a separator (a CSV opened with ";" or a tab), gets an apostrophe, as in every export
    of the portal (``safe_text``; numbers stay as they are). The library's own
    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=" and turns every cell into
    text. An import takes the apostrophes off again (``unsafe_text``), so an exported file
    imports back unchanged."""

    def export_field(self, field, instance, **kwargs):
        return safe_text(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            row[key] = unsafe_text(value)
        super().before_import_row(row, **kwargs)


class RegistryResource(FormulaSafeMixin, resources.ModelResource):
    """Common options: validate each instance, skip unchanged rows, report them; formulae
    escaped on export."""

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class RegionResource(RegistryResource):
    code = fields.Field("code", REGION_CODE, widget=RegionCodeWidget())
    name = fields.Field("name", "Субъект")
    timezone = fields.Field("timezone", "Часовой пояс")

    class Meta(RegistryResource.Meta):
        model = Region
        fields = ("code", "name", "timezone")
        import_id_fields = ("code",)


class MunicipalityResource(RegistryResource):
    region = fields.Field("region", REGION_CODE, widget=RegionWidget())
    name = fields.Field("name", MUNICIPALITY)

    class Meta(RegistryResource.Meta):
        model = Municipality
        fields = ("region", "name")
        import_id_fields = ("region", "name")


ORG_TYPE_ALIASES = {
    "общеобраз.": OrgType.OU,
    "дошкольн.": OrgType.DOU,
    "доп. образ.": OrgType.UDO,
}


class OrganizationResource(RegistryResource):
    sferum_id = fields.Field("sferum_id", SFERUM_ID, widget=IntegerWidget())
    short_name = fields.Field("short_name", "Краткое название")
    full_name = fields.Field("full_name", "Полное наименование", widget=OPTIONAL_TEXT)
    locality = fields.Field("locality", "Населённый пункт", widget=OPTIONAL_TEXT)
    org_type = fields.Field(
        "org_type", "Тип ОО", widget=ChoiceLabelWidget(OrgType.choices, ORG_TYPE_ALIASES)
    )
    region_code = fields.Field(
        "municipality__region__code", REGION_CODE, readonly=True, widget=RegionCodeWidget()
    )
    municipality = fields.Field("municipality", MUNICIPALITY, widget=MunicipalityWidget())
    link = fields.Field("link", "Ссылка", widget=HttpLinkWidget())
    is_active = fields.Field("is_active", "Активна", widget=YesNoWidget(blank=True))
    inn = fields.Field("inn", "ИНН", widget=OPTIONAL_TEXT)
    kpp = fields.Field("kpp", "КПП", widget=OPTIONAL_TEXT)

    class Meta(RegistryResource.Meta):
        model = Organization
        fields = (
            "sferum_id",
            "short_name",
            "full_name",
            "locality",
            "org_type",
            "region_code",
            "municipality",
            "link",
            "is_active",
            "inn",
            "kpp",
        )
        import_id_fields = ("sferum_id",)


class SchoolClassResource(RegistryResource):
    organization = fields.Field("organization", SFERUM_ID, widget=OrganizationWidget())
    name = fields.Field("name", "Класс")

    class Meta(RegistryResource.Meta):
        model = SchoolClass
        fields = ("organization", "name")
        import_id_fields = ("organization", "name")

    def get_instance(self, instance_loader, row):
        """The organisation's active class of the row's name, case and spaces ignored: «5а»
        in a file is the «5А» already there."""
        try:
            organization = self.fields["organization"].clean(row)
            name = self.fields["name"].clean(row)
        except (KeyError, ValueError):
            return None
        if organization is None or not name:
            return None
        return (
            SchoolClass.objects.active()
            .filter(organization=organization, name_key=class_name_key(str(name)))
            .first()
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An existing class keeps its name as first typed.
        if field.attribute == "name" and instance.pk:
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)


class PersonResource(RegistryResource):
    """People (portal users) without passwords: new ones get a set-password link later."""

    username = fields.Field("username", "Логин")
    last_name = fields.Field("last_name", "Фамилия")
    first_name = fields.Field("first_name", "Имя")
    patronymic = fields.Field("patronymic", "Отчество", widget=OPTIONAL_TEXT)
    email = fields.Field("email", "Эл. почта", widget=OPTIONAL_TEXT)
    phone = fields.Field("phone", "Телефон", widget=OPTIONAL_TEXT)

    class Meta(RegistryResource.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "patronymic", "email", "phone")
        import_id_fields = ("username",)

    def init_instance(self, row=None):
        user = super().init_instance(row)
        user.set_unusable_password()
        return user


class ScopeRegionWidget(RegionWidget):
    """The region column names the scope only for region-level roles."""

    def clean(self, value, row=None, **kwargs):
        if row and (row.get(MUNICIPALITY) or row.get(SFERUM_ID)):
            return None
        return super().clean(value, row, **kwargs)


class ScopeMunicipalityWidget(MunicipalityWidget):
    def clean(self, value, row=None, **kwargs):
        if row and row.get(SFERUM_ID):
            return None
        return super().clean(value, row, **kwargs)


class ClassesWidget(widgets.ManyToManyWidget):
    """Class names ("5А, 5Б") of the row's organisation."""

    def __init__(self, **kwargs):
        super().__init__(SchoolClass, separator=",", field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in str(value or "").split(",") if n.strip()]
        if not names:
            return SchoolClass.objects.none()
        org = OrganizationWidget().clean(row.get(SFERUM_ID), row) if row else None
        # Case and spaces ignored: «5 а» names the class «5А».
        keys = {class_name_key(n): n for n in names}
        found = SchoolClass.objects.active().filter(organization=org, name_key__in=keys)
        missing = set(keys) - {c.name_key for c in found}
        if missing:
            missing = {keys[k] for k in missing}
            raise ValueError(f"В ОО нет классов: {', '.join(sorted(missing))}.")
        return found


class MembershipResource(RegistryResource):
    """People's roles: the scope is the region code, the МО, or the organisation's Sferum ID."""

    user = fields.Field("user", "Логин", widget=widgets.ForeignKeyWidget(User, field="username"))
    role = fields.Field("role", "Роль", widget=ChoiceLabelWidget(Role.choices))
    region = fields.Field("region", REGION_CODE, widget=ScopeRegionWidget())
    municipality = fields.Field("municipality", MUNICIPALITY, widget=ScopeMunicipalityWidget())
    organization = fields.Field("organization", SFERUM_ID, widget=OrganizationWidget())
    classes = fields.Field("classes", "Классы", widget=ClassesWidget(), m2m_add=False)
    had_vkm_profile = fields.Field(
        "had_vkm_profile", "Был профиль в ВКМ", widget=YesNoWidget(blank=False)
    )

    class Meta(RegistryResource.Meta):
        model = Membership
        fields = (
            "user",
            "role",
            "region",
            "municipality",
            "organization",
            "classes",
            "had_vkm_profile",
        )
        import_id_fields = ("user", "role", "region", "municipality", "organization")

    def dehydrate_region(self, membership):
        region = membership.region or (
            membership.municipality.region if membership.municipality else None
        )
        return region.code if region else ""
