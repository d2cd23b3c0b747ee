"""Fill the how-to (``hint``) of the checklist steps and plan items from
fixtures/rollout_templates.json (seed 000's checklists and admin FAQ, seed 003's regional FAQ).
Only rows whose hint is still empty change: an administrator's own text is kept."""

from django.db import migrations


def fill(apps, schema_editor):
    from rollout.templates_data import TemplateModels, hints_update

    hints_update(models=TemplateModels.from_apps(apps))


class Migration(migrations.Migration):
    dependencies = [("rollout", "0005_task_indexes_for_bulk")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
