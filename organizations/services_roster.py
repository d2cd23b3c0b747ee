"""Writes that keep an organisation's class list and people: add, rename and archive a class,
remove a person's role in the organisation.

Nothing here deletes a record the audit or the checklists need. A removed class is archived
(``SchoolClass.archived_at``): it leaves the lists, its teachers lose it, so their tasks for it
are archived by the rollout sync (``rollout.signals``); adding a class of the same name again
brings it back. A removed role goes through the existing deletion path: the membership's
deletion is recorded in its history with who removed it, its tasks are archived
(``rollout.models.archive_on_delete``) and come back, ticks included, when the role is given
again. No account (``User``) is changed.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Invitation, Membership, Organization, SchoolClass, User, class_name_key


def _duplicate_error(existing: SchoolClass) -> ValidationError:
    return ValidationError(
        {
            "name": f"Класс «{existing.name}» уже есть в этой ОО (заглавные и строчные буквы "
            "и пробелы в названии не различаются)."
        }
    )


def _save_unique(school_class: SchoolClass, **kwargs) -> None:
    """Save, turning a race lost to the unique constraint into the form's error."""
    try:
        with transaction.atomic():
            school_class.save(**kwargs)
    except IntegrityError:
        existing = school_class.same_name_in_organization()
        if existing is None:
            raise
        raise _duplicate_error(existing) from None


@transaction.atomic
def class_add(
    *, organization: Organization, name: str, by: User | None = None
) -> tuple[SchoolClass, bool]:
    """Add a class to the organisation; returns it and whether an archived class of the same
    name (case and spaces ignored) was brought back instead. Raises ``ValidationError`` when
    an active class has that name."""
    school_class = SchoolClass(organization=organization, name=name)
    if existing := school_class.same_name_in_organization():
        raise _duplicate_error(existing)
    archived = (
        organization.classes.filter(archived_at__isnull=False, name_key=class_name_key(name))
        .order_by("pk")
        .first()
    )
    if archived is not None:
        archived.archived_at = None
        archived._history_user = by
        _save_unique(archived, update_fields=["archived_at"])
        return archived, True
    school_class._history_user = by
    _save_unique(school_class)
    return school_class, False


@transaction.atomic
def class_rename(*, school_class: SchoolClass, name: str, by: User | None = None) -> SchoolClass:
    """Rename a class; the tasks' copy of its name (``rollout.Task.class_name``) follows
    (``rollout.signals.class_saved``)."""
    school_class.name = name
    if existing := school_class.same_name_in_organization():
        raise _duplicate_error(existing)
    school_class._history_user = by
    _save_unique(school_class, update_fields=["name"])
    return school_class


@transaction.atomic
def class_archive(*, school_class: SchoolClass, by: User | None = None) -> int:
    """Remove a class from the organisation's list: archived, not deleted. Its teachers lose
    it (their tasks for it are archived by the sync) and pending invitations no longer offer
    it. Returns how many teachers had it."""
    teachers = list(school_class.teacher_memberships.values_list("pk", flat=True))
    if teachers:
        # With pk_set, so the rollout sync looks at these teachers only.
        school_class.teacher_memberships.remove(*teachers)
    Invitation.classes.through.objects.filter(
        schoolclass=school_class, invitation__status=Invitation.Status.PENDING
    ).delete()
    school_class.archived_at = timezone.now()
    school_class._history_user = by
    school_class.save(update_fields=["archived_at"])
    return len(teachers)


@transaction.atomic
def membership_remove(*, membership: Membership, by: User | None = None) -> None:
    """Take a person's role in the organisation away. The history records the removal and
    who made it; the role's tasks are archived, and come back if the role is given again."""
    membership._history_user = by
    membership.delete()
