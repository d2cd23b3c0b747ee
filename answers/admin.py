"""Admin of «Справка»: the answers, searchable, with their topics edited one key per line."""

from django import forms
from django.contrib import admin

from .models import Answer, validate_topics


class TopicsField(forms.CharField):
    """A JSON list of topic keys shown and edited as a textarea of one key per line."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))

    def validate(self, value):
        validate_topics(value)


class AnswerForm(forms.ModelForm):
    topics = TopicsField(
        label="Темы",
        required=False,
        help_text="По одной на строке: flag:‹код флага мониторинга›, step:‹код шага чек-листа›, "
        "item:‹код пункта плана›, problem:‹код замечания к загрузке›. На этих местах портала "
        "показывается ссылка на ответ.",
    )

    class Meta:
        model = Answer
        fields = ("number", "slug", "question", "answer", "source", "topics")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    form = AnswerForm
    list_display = ("number", "question", "source", "updated_at")
    list_display_links = ("question",)
    search_fields = ("question", "answer", "source", "slug")
    ordering = ("number", "id")
    readonly_fields = ("created_at", "updated_at")
    fields = (*AnswerForm.Meta.fields, "created_at", "updated_at")
