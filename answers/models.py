"""An answer of the source documents' FAQs: the question and the answer in their own wording, the
document it comes from, and the places of the portal (topics) that link to it."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# What a topic key may name: a data flag of a weekly value (monitoring.flags.FLAGS), a checklist
# step or a plan item template (by code) or an upload problem (UploadProblem.code, or a notice
# of the upload page such as "staff_activity_missing").
TOPIC_KINDS = ("flag", "step", "item", "problem")
_TOPIC = re.compile(rf"(?:{'|'.join(TOPIC_KINDS)}):[\w.\-]+")


def validate_topics(value) -> None:
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise ValidationError("Темы — список строк.", code="topics_type")
    wrong = [key for key in value if not _TOPIC.fullmatch(key)]
    if wrong:
        raise ValidationError(
            "Непонятные темы: %(keys)s. Тема пишется как «flag:код», «step:код», «item:код» "
            "или «problem:код».",
            code="topics_format",
            params={"keys": ", ".join(wrong)},
        )


class Answer(models.Model):
    number = models.PositiveIntegerField("№", default=0, help_text="Порядок в списке справки.")
    slug = models.SlugField(
        "адрес", max_length=100, unique=True, help_text="Часть адреса страницы: /help/‹адрес›/."
    )
    question = models.TextField("вопрос")
    answer = models.TextField(
        "ответ", help_text="Пустая строка — новый абзац; адреса сайтов становятся ссылками."
    )
    source = models.CharField("источник", max_length=300)
    topics = models.JSONField(
        "темы",
        default=list,
        blank=True,
        validators=[validate_topics],
        help_text="Места портала, где показывается ссылка на этот ответ.",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "ответ справки"
        verbose_name_plural = "ответы справки"
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("answers:detail", args=[self.slug])

    def paragraphs(self) -> list[str]:
        """The answer's paragraphs: the text between blank lines."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.answer) if p.strip()]
