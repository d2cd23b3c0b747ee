"""Every writer of what the dashboards show renews the data version "all" in its transaction, so
figures cached under it (organizations/versions.py) are recomputed: an import, a weekly
recompute and a changed target."""

import datetime as dt
from decimal import Decimal

from monitoring import services
from monitoring.models import Target
from monitoring.weekly import weekly_values_compute
from organizations.versions import ALL, data_tokens
from tests.monitoring.conftest import export_file, export_row

D1 = dt.date(2025, 11, 17)


def test_an_import_renews_the_version(world):
    before = data_tokens(ALL)
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)]), user=world.coordinator
    )
    assert data_tokens(ALL) == before  # the preview writes nothing of the data
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    assert data_tokens(ALL) != before


def test_a_weekly_recompute_renews_the_version(world):
    before = data_tokens(ALL)
    weekly_values_compute(monday=D1)
    assert data_tokens(ALL) != before


def test_a_changed_target_renews_the_version(world):
    target = Target.objects.first()
    before = data_tokens(ALL)
    target.value_pct = Decimal("70")
    target.save()
    changed = data_tokens(ALL)
    assert changed != before
    target.delete()
    assert data_tokens(ALL) != changed
