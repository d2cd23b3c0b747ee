"""The demo data: the README's users and a realistic registry, never in production."""

import pytest
from django.core.management import CommandError, call_command

from organizations.models import Membership, Municipality, Organization, OrgType, Role, User


@pytest.mark.django_db
def test_seed_demo_creates_the_komi_registry_and_the_demo_users(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert Municipality.objects.filter(region__code="11").count() == 3
    assert 35 <= Organization.objects.count() <= 45
    assert set(Organization.objects.values_list("org_type", flat=True)) >= {
        OrgType.OU,
        OrgType.DOU,
        OrgType.UDO,
        OrgType.SPO,
        OrgType.OUO,
    }
    for username in ("coordinator", "district", "methodologist", "oo_admin", "director", "teacher"):
        assert User.objects.get(username=username).check_password("demo12345")
    oo_admin = Membership.objects.get(user__username="oo_admin")
    director = Membership.objects.get(user__username="director")
    teacher = Membership.objects.get(user__username="teacher", role=Role.CLASS_TEACHER)
    assert oo_admin.organization == director.organization == teacher.organization
    district = Membership.objects.get(user__username="district").municipality
    assert oo_admin.organization.municipality == district
    assert district == Municipality.objects.order_by("pk").first()
    assert "demo12345" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_refuses_a_production_configuration(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("seed_demo")
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_seed_demo_never_mixes_into_an_existing_registry(world, settings):
    settings.DEBUG = True
    before = Organization.objects.count()
    call_command("seed_demo", if_empty=True)
    assert Organization.objects.count() == before
    with pytest.raises(CommandError, match="не пуст"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_describes_the_methodologist_by_what_they_may_do(settings, capsys):
    # A methodologist may upload statistics (permissions.can_upload_statistics): not read-only.
    settings.DEBUG = True
    call_command("seed_demo")
    line = next(li for li in capsys.readouterr().out.splitlines() if "methodologist" in li)
    assert "только просмотр" not in line and "read-only" not in line
    assert "загрузка статистики" in line
