"""Load the answers of the source documents' FAQs from fixtures/answers.json (answers/loading.py).
Creates only the slugs that are missing, so an administrator's edits are kept."""

from django.db import migrations


def load(apps, schema_editor):
    from answers.loading import answers_load

    answers_load(apps.get_model("answers", "Answer"))


class Migration(migrations.Migration):
    dependencies = [("answers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
