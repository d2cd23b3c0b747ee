"""The organisation's requisites for its documents (full name and locality): typed by its Sferum
admin, its head or the district, refused to a class teacher and unseen outside scope; the drafts
of plan items 1.5 and 1.6 carry them, and the task page says what is missing and where to type
it."""

import io

import docx
import pytest
from django.urls import reverse

from rollout import documents
from rollout.models import DocumentKind
from tests.factories import plan_task

FULL = (
    "Муниципальное бюджетное общеобразовательное учреждение "
    "«Средняя общеобразовательная школа № 1» г. Емвы"
)


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("who", ["oo_admin", "oo_head", "district_lead", "coordinator"])
def test_admin_head_and_district_type_the_requisites(world, login, who):
    url = reverse("organizations:requisites", args=[world.school.pk])
    client = login(getattr(world, who))
    assert client.get(url).status_code == 200
    response = client.post(url, {"full_name": f"  {FULL}  ", "locality": " г.  Емва "})
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:organization", args=[world.school.pk])
    world.school.refresh_from_db()
    assert (world.school.full_name, world.school.locality) == (FULL, "г. Емва")
    # The registry keeps who changed it.
    assert world.school.history.first().history_user == getattr(world, who)


def test_teacher_may_not_and_others_do_not_see_it(world, login):
    url = reverse("organizations:requisites", args=[world.school.pk])
    assert login(world.teacher).post(url, {"full_name": "x", "locality": "y"}).status_code == 403
    other = reverse("organizations:requisites", args=[world.other_school.pk])
    assert login(world.oo_admin).get(other).status_code == 404
    assert login(world.oo_admin).post(other, {"full_name": "x"}).status_code == 404
    world.other_school.refresh_from_db()
    world.school.refresh_from_db()
    assert world.other_school.full_name == world.school.full_name == ""


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(reverse("organizations:requisites", args=[world.school.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_next_goes_back_to_the_task_but_never_to_another_site(world, login):
    task = plan_task(world.school, "1.5")
    url = reverse("organizations:requisites", args=[world.school.pk])
    back = reverse("rollout:task", args=[task.pk])
    client = login(world.oo_admin)
    response = client.post(url, {"full_name": FULL, "locality": "", "next": back})
    assert response["Location"] == back
    response = client.post(
        url, {"full_name": FULL, "locality": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("organizations:organization", args=[world.school.pk])


def test_drafts_carry_the_full_name_and_locality_once_typed(world):
    before = _text(documents.render_draft(DocumentKind.ORDER, world.school).content)
    assert FULL not in before and "Княжпогостский" in before
    world.school.full_name, world.school.locality = FULL, "г. Емва"
    world.school.save()
    for kind in (DocumentKind.ORDER, DocumentKind.LOCAL_ACT):
        text = _text(documents.render_draft(kind, world.school).content)
        assert FULL in text
        assert "г. Емва" in text


def test_task_page_says_what_is_missing_and_links_to_the_form(world, login):
    task = plan_task(world.school, "1.6")
    page = reverse("rollout:task", args=[task.pk])
    html = login(world.oo_admin).get(page).content.decode()
    assert "не указаны полное наименование ОО и населённый пункт" in html
    assert reverse("organizations:requisites", args=[world.school.pk]) in html
    world.school.full_name = FULL
    world.school.save()
    html = login(world.oo_admin).get(page).content.decode()
    assert "не указан населённый пункт" in html
    world.school.locality = "г. Емва"
    world.school.save()
    assert "requisites-missing" not in login(world.oo_admin).get(page).content.decode()
