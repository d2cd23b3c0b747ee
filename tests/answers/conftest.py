"""Fixtures of the «Справка» tests: the answers and the rollout templates in the database (the
data migrations load them, but a transactional test elsewhere in the run may have flushed them),
and helpers to read the fixture's answers by topic."""

import pytest
from django.db import connection

from answers.loading import answers_load, answers_read
from answers.models import Answer
from rollout.models import ChecklistTemplate
from rollout.templates_data import templates_load


@pytest.fixture(autouse=True)
def answers_in_db(db):
    if not Answer.objects.exists():
        answers_load()
    if not ChecklistTemplate.objects.exists():
        templates_load()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://… (the PostgreSQL pass)")


def answers_of(key: str) -> list[Answer]:
    """The answers whose topics hold ``key``, in the table's order."""
    return [a for a in Answer.objects.all() if key in a.topics]


def topic_keys() -> set[str]:
    return {key for item in answers_read() for key in item["topics"]}
