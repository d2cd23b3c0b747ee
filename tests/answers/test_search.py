"""Searching «Справка»: every word of the query in the question or the answer (Russian word
forms on PostgreSQL), any of them when no answer has all, case-insensitive for Cyrillic on
SQLite too; and the snippet around the words."""

import pytest

from answers.search import answers_search, snippet


def _slugs(text: str) -> list[str]:
    return [hit.answer.slug for hit in answers_search(text).hits]


def test_words_of_the_question_find_its_answer():
    found = answers_search("уволенных коллег")
    assert found.every_word
    assert found.hits[0].answer.slug == "uvolennye-kollegi-snova-poyavlyayutsya"


def test_cyrillic_is_matched_whatever_its_case():
    assert "ne-poyavilas-papka-sferum" in _slugs("ПАПКА СФЕРУМ")
    assert "kak-perezapustit-bota-sferum" in _slugs("перезапустить БОТА")


def test_no_answer_with_every_word_falls_back_to_answers_with_some():
    found = answers_search("удалить аккаунты уволенных")
    assert not found.every_word
    assert "uvolennye-kollegi-snova-poyavlyayutsya" in [h.answer.slug for h in found.hits]


def test_every_word_must_be_there_when_some_answer_has_them_all():
    found = answers_search("чат Сотрудники")
    assert found.every_word and found.hits
    for hit in found.hits:
        text = (hit.answer.question + hit.answer.answer).casefold()
        assert "чат" in text and "сотрудник" in text  # «сотрудником» on PostgreSQL


def test_a_query_without_words_or_without_matches_finds_nothing():
    assert answers_search("  ?! ").hits == []
    assert answers_search("абракадабра").hits == []


def test_the_snippet_shows_the_words_and_is_cut_at_spaces():
    text = "Начало. " + "слово " * 80 + "Статистику скачивает администратор. " + "хвост " * 80
    piece = snippet(text, ["статистика"])
    assert "Статистику скачивает" in piece
    assert piece.startswith("…") and piece.endswith("…") and len(piece) <= 225
    assert snippet("Короткий ответ.", ["нет"]) == "Короткий ответ."
    assert snippet(text, ["нигде"]).startswith("Начало.")


@pytest.mark.postgres
def test_postgres_finds_russian_word_forms_and_ranks_the_question_first(postgres_only):
    # «уволенный коллега»: neither word is written so in the answer; the Russian configuration
    # reduces both to the stems of «уволенных коллег».
    found = answers_search("уволенный коллега")
    assert found.every_word
    assert found.hits[0].answer.slug == "uvolennye-kollegi-snova-poyavlyayutsya"
    # websearch syntax: a minus excludes a word.
    assert "ne-mogu-udalit-chat" in _slugs("удалить чат")
    assert "ne-mogu-udalit-chat" not in _slugs("удалить чат -покинуть")
    # A word form of the question («ролью» for «роль»).
    assert _slugs("поменять ролью учителя")[0] == "kak-pomenyat-rol-uchitelya"


@pytest.mark.postgres
def test_postgres_falls_back_to_any_word_with_russian_forms(postgres_only):
    found = answers_search("удалить аккаунты уволенных")
    assert not found.every_word
    assert "uvolennye-kollegi-snova-poyavlyayutsya" in [h.answer.slug for h in found.hits]
