"""Admin for the registry: every table can be imported and exported as xlsx or csv."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from sferum_portal import timezones
from sferum_portal.admin_ru import ImportExportAdmin

from . import resources
from .models import (
    Invitation,
    Membership,
    Municipality,
    Organization,
    OrganizationAlias,
    Region,
    SchoolClass,
    User,
)


class RegionForm(forms.ModelForm):
    """The time zone is picked by city («Москва, UTC+3»), not typed as «Europe/Moscow»."""

    timezone = forms.ChoiceField(
        label="часовой пояс",
        choices=timezones.CHOICES,
        initial=Region._meta.get_field("timezone").default,
    )

    class Meta:
        model = Region
        fields = ("name", "code", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.timezone if self.instance.pk else None
        if current and current not in dict(timezones.CHOICES):
            # A zone set before the list (or by an import) stays selectable, shown as it is.
            field = self.fields["timezone"]
            field.choices = [*field.choices, (current, timezones.zone_label(current))]


@admin.register(Region)
class RegionAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    form = RegionForm
    resource_classes = [resources.RegionResource]
    list_display = ("code", "name", "time_zone")
    search_fields = ("name", "code")

    @admin.display(description="часовой пояс", ordering="timezone")
    def time_zone(self, region):
        return timezones.zone_label(region.timezone)


@admin.register(Municipality)
class MunicipalityAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.MunicipalityResource]
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)
    list_select_related = ("region",)


class AliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.OrganizationResource]
    list_display = ("short_name", "sferum_id", "org_type", "municipality", "is_active")
    list_filter = ("org_type", "is_active", "municipality__region")
    search_fields = ("short_name", "full_name", "sferum_id", "aliases__name")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    inlines = [AliasInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.SchoolClassResource]
    list_display = ("name", "organization")
    search_fields = ("name", "organization__short_name", "organization__sferum_id")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)


class MembershipForm(forms.ModelForm):
    class Meta:
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

    def clean(self):
        data = super().clean()
        organization = data.get("organization")
        strangers = [c for c in data.get("classes") or [] if c.organization != organization]
        if strangers:
            self.add_error(
                "classes",
                "Классы должны принадлежать ОО этой роли: "
                + ", ".join(f"{c} ({c.organization})" for c in strangers),
            )
        return data


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ("region", "municipality", "organization", "classes")


@admin.register(Membership)
class MembershipAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [resources.MembershipResource]
    form = MembershipForm
    list_display = ("user", "role", "region", "municipality", "organization", "had_vkm_profile")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name", "user__email")
    list_select_related = ("user", "region", "municipality", "organization")
    autocomplete_fields = ("user", "region", "municipality", "organization", "classes")


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """Invitations are answered by their addressee: the admin shows them, it does not accept."""

    list_display = ("email", "role", "organization", "status", "invited_by", "created_at")
    list_filter = ("status", "role")
    search_fields = ("email", "last_name", "organization__short_name")
    list_select_related = ("organization", "invited_by")
    readonly_fields = ("user", "membership", "status", "answered_at", "invited_by")
    raw_id_fields = ("organization",)
    filter_horizontal = ("classes",)


@admin.register(User)
class PersonAdmin(ImportExportAdmin, SimpleHistoryAdmin, UserAdmin):
    resource_classes = [resources.PersonResource]
    list_display = ("username", "last_name", "first_name", "patronymic", "email", "phone")
    search_fields = ("username", "last_name", "first_name", "email", "phone")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Контакты", {"fields": ("patronymic", "phone")}),
    )
    inlines = [MembershipInline]
