"""The answers as data: the fixture's topics name real flags, steps, plan items and upload
problems; the migration loads every answer and never overwrites an administrator's edit; the
admin edits topics one key per line."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from answers.loading import answers_load, answers_read
from answers.models import TOPIC_KINDS, Answer
from monitoring.flags import FLAGS
from tests.answers.conftest import topic_keys

ROOT = Path(settings.BASE_DIR)


def _rollout_codes() -> tuple[set[str], set[str]]:
    data = json.loads((ROOT / "fixtures" / "rollout_templates.json").read_text("utf-8"))
    steps = {s["code"] for c in data["checklists"] for s in c["steps"]}
    items = {i["code"] for p in data["plans"] for i in p["items"]}
    return steps, items


def _problem_codes() -> set[str]:
    """The codes the importer gives its problems (the code literal of each problem it makes,
    and the data-quality checks of the parser), and the notices of the upload page's summary."""
    from monitoring.importers.parser import _ABOVE_CHECKS, _SUM_CHECKS

    text = "\n".join(
        p.read_text("utf-8") for p in sorted((ROOT / "monitoring" / "importers").glob("*.py"))
    )
    call = r'\b(?:problem|Problem|CellError|_moved_problem)\(\s*[^()"]*?"([a-z_]+)"'
    codes = set(re.findall(call, text))
    for a, b in re.findall(r'\bcode = "([a-z_]+)" if [^"]+ else "([a-z_]+)"', text):
        codes |= {a, b}
    codes |= {check[0] for check in (*_ABOVE_CHECKS, *_SUM_CHECKS)}
    services = (ROOT / "monitoring" / "services.py").read_text("utf-8")
    if '"staff_activity_missing":' in services:  # a key of the upload's summary
        codes.add("staff_activity_missing")
    return codes


def test_every_topic_names_something_real():
    steps, items = _rollout_codes()
    known = {
        "flag": set(FLAGS),
        "step": steps,
        "item": items,
        "problem": _problem_codes(),
    }
    assert {"region_unknown", "registered_above_total", "missing_columns"} <= known["problem"]
    keys = topic_keys()
    assert keys, "the fixture links its answers to places"
    unknown = []
    for key in sorted(keys):
        kind, _, code = key.partition(":")
        if kind not in TOPIC_KINDS or code not in known[kind]:
            unknown.append(key)
    assert unknown == []


def test_every_flag_and_the_places_of_the_brief_have_answers():
    keys = topic_keys()
    assert {f"flag:{code}" for code in FLAGS} <= keys
    assert {"problem:region_unknown", "problem:registered_above_total"} <= keys
    assert {"problem:staff_activity_missing", "step:oo_admin-3", "item:1.4"} <= keys


def test_the_fixture_is_clean_text():
    items = answers_read()
    assert len({i["slug"] for i in items}) == len(items) >= 22
    assert len({i["number"] for i in items}) == len(items)
    for item in items:
        for field in ("question", "answer", "source"):
            text = item[field]
            assert "**" not in text and "\\_" not in text and "](" not in text, item["slug"]
            assert "Пригласить\n\n" not in text and "09:57" not in text and "13:45" not in text
            assert re.search(r"[а-яА-Я]", text)
        assert re.fullmatch(r"[a-z0-9-]+", item["slug"])


def test_the_migration_loaded_every_answer():
    assert Answer.objects.count() == len(answers_read())
    one = Answer.objects.get(slug="organizacii-net-v-spiske")
    assert one.source.endswith("вопрос 9") and "problem:region_unknown" in one.topics


def test_loading_again_adds_only_missing_slugs_and_keeps_edits():
    edited = Answer.objects.get(slug="ne-mogu-udalit-chat")
    edited.answer = "Свой ответ администратора"
    edited.topics = []
    edited.save()
    Answer.objects.filter(slug="dubli-klassov").delete()
    assert answers_load() == 1
    assert answers_load() == 0
    edited.refresh_from_db()
    assert edited.answer == "Свой ответ администратора" and edited.topics == []
    assert Answer.objects.filter(slug="dubli-klassov").exists()


def test_the_admin_lists_searches_and_edits_topics_one_per_line(world, client):
    client.force_login(world.operator)
    listing = client.get(reverse("admin:answers_answer_changelist"), {"q": "уволенных"})
    assert listing.status_code == 200
    assert "Я исключаю уволенных коллег" in listing.content.decode()
    answer = Answer.objects.get(slug="ne-mogu-udalit-chat")
    url = reverse("admin:answers_answer_change", args=[answer.pk])
    page = client.get(url).content.decode()
    assert "step:class_teacher-with_vkm-3</textarea>" in page
    data = {
        "number": answer.number,
        "slug": answer.slug,
        "question": answer.question,
        "answer": answer.answer,
        "source": answer.source,
        "topics": "step:oo_admin-5\n\n  flag:rate_above_100 \nstep:oo_admin-5",
    }
    assert client.post(url, data).status_code == 302
    answer.refresh_from_db()
    assert answer.topics == ["step:oo_admin-5", "flag:rate_above_100"]
    wrong = client.post(url, {**data, "topics": "чепуха"})
    assert wrong.status_code == 200 and "Непонятные темы: чепуха" in wrong.content.decode()
