"""The notify app in the Django admin: the outbox read-only (the log of what was sent), each
person's choices and MAX link, and the reminder ladder, which an administrator edits."""

from django.contrib import admin

from .models import MaxLink, Message, Preference, Reminded, ReminderRung


@admin.register(ReminderRung)
class ReminderRungAdmin(admin.ModelAdmin):
    list_display = ("days", "whom", "is_active")
    list_editable = ("whom", "is_active")
    list_display_links = ("days",)
    list_filter = ("whom", "is_active")
    ordering = ("days", "whom")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "max", "digest", "reminder", "nudge", "updated_at")
    list_filter = ("email", "max", "digest", "reminder", "nudge")
    search_fields = ("user__username", "user__email", "user__last_name")
    autocomplete_fields = ("user",)


@admin.register(MaxLink)
class MaxLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "max_user_id", "max_name", "linked_at")
    search_fields = ("user__username", "user__email", "user__last_name", "max_name")
    readonly_fields = ("payload", "payload_created_at", "linked_at")
    autocomplete_fields = ("user",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the portal only: viewable, never added or changed by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "user", "kind", "channel", "subject", "status", "attempts", "sent_at",
        "sent_by",
    )  # fmt: skip
    list_filter = ("kind", "channel", "status")
    search_fields = ("user__username", "user__email", "user__last_name", "subject", "key")
    date_hierarchy = "created_at"
    list_select_related = ("user", "sent_by")
    exclude = ("attachment",)


@admin.register(Reminded)
class RemindedAdmin(ReadOnlyAdmin):
    list_display = ("reminded_on", "user", "plan_item", "organization", "municipality", "rung")
    list_filter = ("rung",)
    search_fields = ("user__username", "user__email", "user__last_name")
    date_hierarchy = "reminded_on"
    list_select_related = ("user", "plan_item", "organization", "municipality", "rung")
