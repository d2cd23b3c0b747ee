# Only http(s) links: a validator, no change to the table.

from django.db import migrations, models

import organizations.models


def link_field():
    return models.URLField(
        blank=True,
        max_length=500,
        validators=[organizations.models.validate_http_url],
        verbose_name="ссылка на сообщество",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0003_data_version"),
    ]

    operations = [
        migrations.AlterField(model_name="historicalorganization", name="link", field=link_field()),
        migrations.AlterField(model_name="organization", name="link", field=link_field()),
    ]
