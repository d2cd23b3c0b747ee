"""Searching «Справка»: PostgreSQL full-text search with the Russian configuration (so «уволенный
коллега» finds «уволенных коллег»), a plain word search elsewhere (SQLite in development and
tests), and the snippet a result shows.

Both first look for answers with every word of the query; when none has them all, for answers
with any of them (the page says which). There are a few dozen answers, so no search index is
kept: PostgreSQL computes the vectors per query, and the fallback reads the whole table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections

from .models import Answer

CONFIG = "russian"
SNIPPET_LENGTH = 220
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    answer: Answer
    snippet: str


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    every_word: bool  # False: no answer has all the words; these have some of them


def words_of(text: str) -> list[str]:
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(text)))


def stem(word: str) -> str:
    """A crude stem for the plain search and the snippet: the word without its last two letters
    (most Russian endings), never shorter than four; «статистика» also finds «статистике»."""
    return word[: max(4, len(word) - 2)]


def answers_search(text: str) -> Found:
    words = words_of(text)
    if not words:
        return Found([], True)
    search = _postgres if connections[Answer.objects.db].vendor == "postgresql" else _plain
    every_word = True
    answers = search(text, words, every_word=True)
    if not answers and len(words) > 1:
        every_word = False
        answers = search(text, words, every_word=False)
    return Found([Hit(a, snippet(a.answer, words)) for a in answers], every_word)


def _postgres(text: str, words: list[str], *, every_word: bool) -> list[Answer]:
    vector = SearchVector("question", weight="A", config=CONFIG) + SearchVector(
        "answer", weight="B", config=CONFIG
    )
    if every_word:
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
    else:
        query = reduce(or_, (SearchQuery(w, config=CONFIG, search_type="plain") for w in words))
    return list(
        Answer.objects.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .order_by("-rank", "number", "id")
    )


def _plain(text: str, words: list[str], *, every_word: bool) -> list[Answer]:
    # Matched in Python with casefold(): SQLite's LIKE folds the case of ASCII letters only, so
    # «Сферум» would not find «сферум». A few dozen rows: reading them all costs nothing.
    stems = [stem(w) for w in words]
    scored = []
    for answer in Answer.objects.all():
        question, body = answer.question.casefold(), answer.answer.casefold()
        present = [s for s in stems if s in question or s in body]
        if (len(present) == len(stems)) if every_word else present:
            score = sum(2 if s in question else 1 for s in present)
            scored.append((-score, answer.number, answer.id, answer))
    return [item[-1] for item in sorted(scored, key=lambda item: item[:3])]


def snippet(text: str, words: list[str], length: int = SNIPPET_LENGTH) -> str:
    """A piece of ``text`` around the first place a query word's stem appears; the beginning
    when none does."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    folded = flat.casefold()
    places = [folded.find(stem(w)) for w in words if stem(w) in folded]
    start = max(0, min(places) - length // 4) if places else 0
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = start + length
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start else end
    piece = flat[start:end].strip()
    return f"{'…' if start else ''}{piece}{'…' if end < len(flat) else ''}"
