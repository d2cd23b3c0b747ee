"""Admin for monitoring: targets and indicator rules are edited here; uploads and computed
values are shown read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    IndicatorRule,
    Snapshot,
    Target,
    Upload,
    UploadProblem,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "org_types", "parents_only_types")


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "stage", "region", "value_pct", "due_date", "effective_from",
                    "effective_to")  # fmt: skip
    list_filter = ("indicator", "stage", "region")
    autocomplete_fields = ("region",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProblemInline(admin.TabularInline):
    model = UploadProblem
    extra = 0
    can_delete = False
    readonly_fields = ("severity", "code", "sheet", "row", "column", "header", "sferum_id",
                       "organization_name", "registry_name", "message")  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("file_name", "created_at", "uploaded_by", "status", "rows_written",
                    "rows_unchanged", "rows_skipped", "errors_count", "warnings_count")  # fmt: skip
    list_filter = ("status",)
    search_fields = ("file_name", "sha256", "uploaded_by__username")
    inlines = [ProblemInline]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("organization", "date", "teachers_total", "staff_active", "upload")
    list_filter = ("date",)
    search_fields = ("organization__short_name", "organization__sferum_id")
    list_select_related = ("organization", "upload")
    raw_id_fields = ("organization", "upload")


@admin.register(WeeklyOrganizationValue)
class WeeklyOrganizationValueAdmin(ReadOnlyAdmin):
    list_display = ("organization", "week_start", "staff_activity_pct",
                    "students_parents_activity_pct", "teachers_registered_pct")  # fmt: skip
    list_filter = ("week_start",)
    search_fields = ("organization__short_name", "organization__sferum_id")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)


@admin.register(WeeklyMunicipalityValue)
class WeeklyMunicipalityValueAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "week_start", "staff_activity_pct",
                    "students_parents_activity_pct", "organizations_with_data")  # fmt: skip
    list_filter = ("week_start",)
    list_select_related = ("municipality",)


@admin.register(WeeklyRegionValue)
class WeeklyRegionValueAdmin(ReadOnlyAdmin):
    list_display = ("region", "week_start", "staff_activity_pct",
                    "students_parents_activity_pct", "organizations_with_data")  # fmt: skip
    list_filter = ("week_start", "region")
    list_select_related = ("region",)
