"""«Справка» pages: the list with its search, each answer at its own address, login required,
and the menu item for every logged-in role."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from answers.models import Answer

UVOLENNYE = "uvolennye-kollegi-snova-poyavlyayutsya"


def test_each_answer_has_its_own_page(world, client):
    client.force_login(world.teacher)
    for answer in Answer.objects.all():
        url = f"/help/{answer.slug}/"
        assert answer.get_absolute_url() == url
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert f'<h1 class="h4">{escape(answer.question)}</h1>' in page
        assert escape(answer.source) in page


def test_the_answer_page_keeps_paragraphs_and_links_addresses(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("answers:detail", args=["kak-pomenyat-rol-uchitelya"]))
    html = page.content.decode()
    assert html.count("<p>", html.index('class="answer-text"')) >= 2
    assert 'href="https://www.sferum.ru/spravka/izmeneniye_rolj"' in html
    assert "**" not in html and "\\_" not in html


def test_an_unknown_slug_is_404(world, client):
    client.force_login(world.oo_admin)
    assert client.get("/help/net-takogo-otveta/").status_code == 404


@pytest.mark.parametrize("url", ["/help/", f"/help/{UVOLENNYE}/", "/help/?q=чат"])
def test_anonymous_people_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_every_question_without_a_query(world, client):
    client.force_login(world.district_lead)
    page = client.get(reverse("answers:list")).content.decode()
    assert 'id="help-all"' in page
    for answer in Answer.objects.all():
        assert f'href="{answer.get_absolute_url()}"' in page


def test_a_search_shows_question_source_and_snippet(world, client):
    client.force_login(world.oo_head)
    response = client.get(reverse("answers:list"), {"q": "уволенных коллег"})
    page = response.content.decode()
    answer = Answer.objects.get(slug=UVOLENNYE)
    assert 'id="help-results"' in page and 'id="help-all"' not in page
    assert f'<a href="{answer.get_absolute_url()}">{escape(answer.question)}</a>' in page
    assert f"Источник: {escape(answer.source)}" in page
    assert "исключение пользователя из организации" in page  # the snippet
    assert "Найдено: 1 ответ</h2>" in " ".join(page.split())


def test_a_search_of_some_words_says_not_all_were_found(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("answers:list"), {"q": "удалить аккаунты уволенных"})
    assert "Ответов со всеми словами запроса нет" in page.content.decode()


def test_an_empty_result_says_so_suggests_words_and_lists_everything(world, client):
    client.force_login(world.teacher)
    page = client.get(reverse("answers:list"), {"q": "абракадабра"}).content.decode()
    assert "По запросу «абракадабра» в справке ничего не найдено." in page
    assert 'href="?q=%D1%87%D0%B0%D1%82"' in page  # «чат»
    assert 'id="help-all"' in page and f"/help/{UVOLENNYE}/" in page


def test_the_query_is_read_as_clean_text(world, client):
    client.force_login(world.teacher)
    response = client.get(reverse("answers:list"), {"q": "чат\x00" + "я" * 500})
    assert response.status_code == 200
    assert len(response.context["query"]) == 200 and "\x00" not in response.context["query"]


@pytest.mark.parametrize(
    "persona",
    ["coordinator", "district_lead", "methodologist", "oo_admin", "oo_head", "teacher", "nobody"],
)
def test_every_logged_in_person_has_help_in_the_menu(world, client, persona):
    client.force_login(getattr(world, persona))
    page = client.get(reverse("answers:list"))
    labels = {item.url: item.label for item in page.context["nav_items"]}
    assert labels[reverse("answers:list")] == "Справка"
    assert 'aria-current="page" href="/help/">Справка</a>' in page.content.decode()


def test_every_suggested_word_finds_answers(db):
    from answers.search import answers_search
    from answers.views import SUGGESTED_WORDS

    assert [w for w in SUGGESTED_WORDS if not answers_search(w).hits] == []
