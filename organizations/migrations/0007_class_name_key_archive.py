"""Class names compared with case and spaces ignored (``SchoolClass.name_key``), and classes
archived rather than deleted (``archived_at``).

The data step fills the key of every class. Classes of one organisation whose names differ only
in case or spaces («5А», «5а», «5 А») could exist before: they are merged into the oldest one,
nothing is deleted. The teachers and invitations of a duplicate move to the class kept; its tasks
move too, unless the teacher already has the same step for the class kept: then the duplicate's
task is archived where it is, with its statuses and history. The duplicate itself is archived.
"""

from django.db import migrations, models
from django.utils import timezone


def _key(name):
    return "".join(name.split()).casefold()


def fill_keys_and_merge(apps, schema_editor):
    SchoolClass = apps.get_model("organizations", "SchoolClass")
    Membership = apps.get_model("organizations", "Membership")
    Invitation = apps.get_model("organizations", "Invitation")
    Task = apps.get_model("rollout", "Task")
    now = timezone.now()
    rows = list(SchoolClass.objects.order_by("pk").values_list("pk", "organization_id", "name"))
    kept: dict[tuple[int, str], tuple[int, str]] = {}
    duplicates = []
    for pk, organization_id, name in rows:
        group = (organization_id, _key(name))
        if group in kept:
            duplicates.append((pk, *kept[group]))
        else:
            kept[group] = (pk, name)
    links_of = (
        (Membership.classes.through, "membership_id"),
        (Invitation.classes.through, "invitation_id"),
    )
    for duplicate, keeper, keeper_name in duplicates:
        for links, owner in links_of:
            moved = set(
                links.objects.filter(schoolclass_id=duplicate).values_list(owner, flat=True)
            )
            have = set(links.objects.filter(schoolclass_id=keeper).values_list(owner, flat=True))
            links.objects.bulk_create(
                [links(**{owner: pk, "schoolclass_id": keeper}) for pk in moved - have]
            )
            links.objects.filter(schoolclass_id=duplicate).delete()
        tasks = Task.objects.filter(school_class_id=duplicate).values_list(
            "pk", "step_id", "membership_id"
        )
        for pk, step_id, membership_id in list(tasks):
            clash = membership_id is None or (
                Task.objects.filter(
                    step_id=step_id, membership_id=membership_id, school_class_id=keeper
                ).exists()
            )
            if clash:
                Task.objects.filter(pk=pk, archived=False).update(archived=True, archived_at=now)
            else:
                Task.objects.filter(pk=pk).update(school_class_id=keeper, class_name=keeper_name)
        # Archived before its key is written: the key is unique among active classes only.
        SchoolClass.objects.filter(pk=duplicate).update(archived_at=now)
    SchoolClass.objects.bulk_update(
        [SchoolClass(pk=pk, name_key=_key(name)) for pk, _, name in rows],
        ["name_key"],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0006_invitation_invited_by_label"),
        # The merge moves tasks of duplicate classes (rollout's last migration needs only 0006).
        ("rollout", "0005_task_indexes_for_bulk"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="schoolclass",
            name="class_unique_name",
        ),
        migrations.AddField(
            model_name="historicalschoolclass",
            name="archived_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="в архиве с"
            ),
        ),
        migrations.AddField(
            model_name="historicalschoolclass",
            name="name_key",
            field=models.CharField(
                default="", editable=False, max_length=50, verbose_name="ключ названия"
            ),
        ),
        migrations.AddField(
            model_name="schoolclass",
            name="archived_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="в архиве с"
            ),
        ),
        migrations.AddField(
            model_name="schoolclass",
            name="name_key",
            field=models.CharField(
                default="", editable=False, max_length=50, verbose_name="ключ названия"
            ),
        ),
        migrations.RunPython(fill_keys_and_merge, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="schoolclass",
            constraint=models.UniqueConstraint(
                condition=models.Q(("archived_at__isnull", True)),
                fields=("organization", "name_key"),
                name="class_unique_name_key",
            ),
        ),
    ]
