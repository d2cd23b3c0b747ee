"""Who may tick what. Visibility is selectors.py's job (outside the scope is 404); these rules
apply to tasks a person already sees, and a refusal is a 403 with the reason shown.

- A checklist step is ticked only by its own person (not by their head, not by the district).
- An organisation's plan item is ticked by the organisation's Sferum admin.
- A district-level (УО) item is ticked by the district lead of the municipality.
- A measured item (1.7, 4.1–4.4) is never ticked by hand; an archived task never changes.
- Methodologists, coordinators and operators read.
"""

from organizations.models import Municipality, Role
from organizations.permissions import leads_municipality
from organizations.selectors import scope_of

from .models import Task


def change_refusal(user, task: Task) -> str | None:
    """Why this person may not change the task, or None when they may."""
    if task.archived:
        return "Задача в архиве: роль, класс или организация больше не действуют."
    if task.is_measured:
        return "Пункт отмечается автоматически по данным мониторинга."
    if task.step_id:
        if task.membership_id and task.user_id == user.pk:
            return None
        return "Отметить шаг может только тот, чей это шаг."
    if task.organization_id:
        if scope_of(user).holds(Role.OO_ADMIN, organization=task.organization_id):
            return None
        return "Пункты плана ОО отмечает администратор Сферум в ОО."
    if scope_of(user).holds(Role.DISTRICT_LEAD, municipality=task.municipality_id):
        return None
    return "Пункты плана для УО отмечает районный ответственный."


def ticked_by(task: Task) -> str:
    """Who ticks the task, for a row that the person looking at it may not tick."""
    if task.is_measured:
        return "отмечается автоматически по данным мониторинга"
    if task.step_id:
        return "отмечает исполнитель шага"
    if task.organization_id:
        return "отмечает администратор Сферум в ОО"
    return "отмечает районный ответственный"


def can_publish_contacts(user, municipality: Municipality) -> bool:
    """The district lead (or the region's coordinator, or an operator) publishes the contacts."""
    return leads_municipality(user, municipality)
