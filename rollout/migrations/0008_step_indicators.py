"""Fill the ``indicators`` of the checklist steps (which monitoring indicators each step moves,
read by rollout.next_steps) from fixtures/rollout_templates.json. Only steps whose list is still
empty change: an administrator's own choice is kept."""

from django.db import migrations


def fill(apps, schema_editor):
    from rollout.templates_data import TemplateModels, step_extras_update

    step_extras_update(models=TemplateModels.from_apps(apps))


class Migration(migrations.Migration):
    dependencies = [("rollout", "0007_step_indicators_document_templates")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
