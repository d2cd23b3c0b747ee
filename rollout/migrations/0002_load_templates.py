"""Load the checklist and plan templates from fixtures/rollout_templates.json (see
rollout/templates_data.py). Creates only what is missing, so it is safe on a database where an
administrator already added or edited templates."""

from django.db import migrations


def load(apps, schema_editor):
    from rollout.templates_data import TemplateModels, templates_load

    templates_load(models=TemplateModels.from_apps(apps))


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
