"""Load the default indicator rules and Stage 2 targets from fixtures/monitoring_targets.json."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "monitoring_targets.json"


def load(apps, schema_editor):
    IndicatorRule = apps.get_model("monitoring", "IndicatorRule")
    Target = apps.get_model("monitoring", "Target")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for rule in data["indicator_rules"]:
        IndicatorRule.objects.update_or_create(indicator=rule["indicator"], defaults=rule)
    for target in data["targets"]:
        Target.objects.get_or_create(
            indicator=target["indicator"],
            stage=target["stage"],
            region=None,
            effective_from=target["effective_from"],
            defaults=target,
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
