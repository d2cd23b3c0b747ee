"""The answers as data: reading ``fixtures/answers.json`` and creating the answers the database
does not have yet. Used by the data migration (with the historical model) and by tests after a
transactional test flushed the table.

Rows are matched by slug and only missing slugs are created: an answer an administrator edited
(or deleted on purpose and re-created under another slug) is never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "answers.json"
FIELDS = ("number", "slug", "question", "answer", "source", "topics")


def answers_read(path: Path | None = None) -> list[dict]:
    """The fixture's answers, each a dict of FIELDS."""
    data = json.loads((path or FIXTURE_PATH).read_text(encoding="utf-8"))
    return [{name: item[name] for name in FIELDS if name in item} for item in data["answers"]]


def answers_load(answer_model=None, path: Path | None = None) -> int:
    """Create the fixture's answers whose slug is not in the table; return how many."""
    if answer_model is None:
        from .models import Answer as answer_model
    items = answers_read(path)
    existing = set(
        answer_model.objects.filter(slug__in=[i["slug"] for i in items]).values_list(
            "slug", flat=True
        )
    )
    missing = [answer_model(**item) for item in items if item["slug"] not in existing]
    answer_model.objects.bulk_create(missing)
    return len(missing)
