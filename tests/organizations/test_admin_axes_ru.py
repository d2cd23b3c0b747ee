"""The admin's permission names and django-axes's lockout wording are Russian: the permissions
Django names «Can add …» are renamed after migrate, the lockout page says for how long and whom
to ask, and the axes admin says «Вход заблокирован», not «Locked Out»."""

import gettext
import re
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5


def _text(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _lock_out(client, username="district"):
    for n in range(LIMIT):
        response = client.post(reverse("login"), {"username": username, "password": f"x{n}"})
    return response


def test_built_in_permissions_have_russian_names(db):
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    names = dict(
        Permission.objects.filter(content_type__app_label="organizations").values_list(
            "codename", "name"
        )
    )
    assert names["add_organization"] == "Может добавлять: образовательная организация (ОО)"
    assert names["change_membership"] == "Может изменять: роль"
    assert names["delete_schoolclass"] == "Может удалять: класс / группа"
    assert names["view_user"] == "Может просматривать: пользователь"


def test_a_second_migrate_keeps_them_russian(db):
    call_command("migrate", verbosity=0)
    assert not Permission.objects.filter(name__startswith="Can ").exists()


def test_the_admin_lists_permissions_in_russian(world, client):
    client.force_login(world.operator)
    page = _text(client.get(reverse("admin:organizations_user_change", args=[world.nobody.pk])))
    assert "Может изменять: роль" in page
    assert "Can change" not in page and "Can add" not in page


def test_the_lockout_page_is_russian_and_says_whom_to_ask(world, client):
    response = _lock_out(client)
    page = _text(response)
    assert response.status_code == 429
    assert "Вход временно заблокирован" in page and "на 15 мин." in page
    assert "администратору Сферум в вашей ОО" in page and "районному ответственному" in page
    assert "Locked" not in page and "locked" not in page


def test_the_axes_admin_says_locked_in_russian(world, client):
    _lock_out(client)
    client.force_login(world.operator)
    page = _text(client.get(reverse("admin:axes_accessattempt_changelist")))
    assert "Вход заблокирован" in page
    assert "Locked Out" not in page and "Not set" not in page


def test_the_compiled_catalogue_has_the_axes_wording():
    with (ROOT / "locale/ru/LC_MESSAGES/django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Locked Out") == "Вход заблокирован"
    assert catalogue.gettext("Attempt Remaining") == "— осталось попыток входа"
