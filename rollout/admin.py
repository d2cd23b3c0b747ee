"""Admin for the rollout app: templates are edited here (and imported / exported as xlsx);
tasks, their history and evidence are shown read-only, since every change of a task must go
through the status form that records who changed it."""

from django import forms
from django.contrib import admin
from django.utils.html import escape
from simple_history.admin import SimpleHistoryAdmin

from sferum_portal.admin_ru import ImportExportAdmin

from . import documents, resources
from .models import (
    ChecklistStepTemplate,
    ChecklistTemplate,
    DistrictContacts,
    DocumentTemplate,
    Evidence,
    PlanItemTemplate,
    PlanTemplate,
    StatusChange,
    Task,
)


class StepInline(admin.TabularInline):
    model = ChecklistStepTemplate
    extra = 0
    fields = ("order", "code", "title", "short_title", "evidence", "is_active")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ImportExportAdmin):
    resource_classes = [resources.ChecklistResource]
    list_display = ("title", "actor", "variant", "code", "is_active")
    list_filter = ("actor", "is_active")
    inlines = [StepInline]


@admin.register(ChecklistStepTemplate)
class ChecklistStepTemplateAdmin(ImportExportAdmin):
    resource_classes = [resources.ChecklistStepResource]
    list_display = ("order", "title", "checklist", "evidence", "indicators", "is_active")
    list_display_links = ("title",)
    list_filter = ("checklist", "evidence", "is_active")
    search_fields = ("title", "code")
    list_select_related = ("checklist",)


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "basis", "is_active")


@admin.register(PlanItemTemplate)
class PlanItemTemplateAdmin(ImportExportAdmin):
    resource_classes = [resources.PlanItemResource]
    list_display = (
        "number",
        "short_title",
        "deadline_text",
        "deadline_date",
        "responsible",
        "indicator",
        "evidence",
        "is_active",
    )
    list_display_links = ("short_title",)
    list_filter = ("plan", "indicator", "evidence", "is_active")
    search_fields = ("title", "number", "code", "expected_result")
    readonly_fields = ("for_district", "org_types")

    @admin.display(description="мероприятие")
    def short_title(self, obj):
        return obj.title if len(obj.title) <= 90 else f"{obj.title[:90]}…"


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ("changed_at", "changed_by", "old_status", "new_status", "comment", "reason")
    readonly_fields = fields


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("created_at", "created_by", "kind", "order_number", "order_date", "original_name")
    readonly_fields = fields


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "status",
        "user",
        "organization",
        "municipality",
        "class_name",
        "changed_at",
        "archived",
    )
    list_filter = ("status", "archived", "step__checklist", "plan_item__plan")
    search_fields = (
        "organization__short_name",
        "organization__sferum_id",
        "user__last_name",
        "user__username",
        "class_name",
    )
    list_select_related = ("step", "plan_item", "user", "organization", "municipality")
    inlines = [StatusChangeInline, EvidenceInline]


@admin.register(DistrictContacts)
class DistrictContactsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "updated_at", "updated_by")
    list_select_related = ("municipality", "updated_by")
    readonly_fields = ("updated_at", "updated_by")


class DocumentTemplateForm(forms.ModelForm):
    """An uploaded template must be a real .docx that fills with a sample context."""

    class Meta:
        model = DocumentTemplate
        fields = ("kind", "org_type", "file", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = "; ".join(f"{{{{ {name} }}}} — {text}" for name, text in documents.PLACEHOLDERS)
        self.fields["file"].help_text = escape(
            "Документ Word (.docx) с переменными docxtpl (Jinja). Переменные: "
            f"{names}. Строки листа ознакомления: {{%tr for person in staff %}} … "
            "{%tr endfor %}. Шаблон с неизвестной переменной или ошибкой не принимается."
        )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        # A new upload is checked; the stored file of an unchanged row was checked before.
        if uploaded and hasattr(uploaded, "content_type"):
            problem = documents.template_problem(uploaded)
            if problem:
                raise forms.ValidationError(problem)
        return uploaded


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = DocumentTemplateForm
    list_display = ("kind", "org_type", "is_active", "updated_at")
    list_filter = ("kind", "org_type", "is_active")
