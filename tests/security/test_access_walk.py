"""The access walk: every URL of the project that takes an object id, for every persona, with an
object inside and an object outside the persona's scope (GET, and POST on the views that write).

The rules (organizations/selectors.py, permissions.py): an object outside the scope does not
exist (404, never 403); a write that a role may not make on an object it sees is 403; a visitor
who is not logged in is sent to log in (302). "Inside" is the object of the persona's own branch
of the test world (their region, district, school, task, upload); "outside" is the nearest object
beyond their scope (the next district for a district role, the next school for a school role,
the other region for a regional role). Where a role reaches no object of that kind at all, the
inside object answers 404 too. An operator has no outside: the far object answers as inside.

ROUTES is the one table of expectations. A URL with an id that it does not list fails
``test_every_id_url_of_the_project_is_classified``, so a new page cannot slip past the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from monitoring.models import Upload
from organizations.models import Invitation, Membership, Organization, Role, SchoolClass
from rollout.models import ChecklistTemplate, Evidence, EvidenceKind, Status, Task
from rollout.templates_data import templates_load
from tests.factories import person, plan_task

# --- what the walk leaves out, and why --------------------------------------------------------

# Namespaces not walked: the Django admin is for staff (is_staff) and checks model permissions
# itself; every object there is the operator's.
SKIPPED_NAMESPACES = {"admin": "Django admin: staff only, model permissions of its own"}
# URL names with an id-like parameter that are not objects of the portal. The other auth URLs
# (accounts/login, logout, password change and reset) take no parameter at all.
SKIPPED_NAMES = {
    "set_password": "auth: <uidb64>/<token> is a signed one-time link, not an object id",
}

ID_PARAM_NAMES = {"pk", "id", "object_id", "uidb64"}


def _is_id_param(name: str, converter) -> bool:
    return (
        isinstance(converter, IntConverter)
        or name in ID_PARAM_NAMES
        or name.endswith(("_pk", "_id"))
    )


def id_urls() -> dict[str, tuple[str, ...]]:
    """{"namespace:name": parameter names} of every pattern whose parameters include an id,
    found by walking the resolver through every include and namespace."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(resolver, namespaces: tuple[str, ...], converters: dict) -> None:
        for pattern in resolver.url_patterns:
            here = {**converters, **getattr(pattern.pattern, "converters", {})}
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                spaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern, spaces, here)
                continue
            assert isinstance(pattern, URLPattern)
            params = dict(here)
            regex = pattern.pattern.regex
            params.update({name: None for name in regex.groupindex if name not in params})
            if not any(_is_id_param(n, c) for n, c in params.items()):
                continue
            name = ":".join((*namespaces, pattern.name or f"<unnamed {pattern.pattern}>"))
            if pattern.name in SKIPPED_NAMES:
                continue
            found[name] = tuple(params)

    walk(get_resolver(), (), {})
    return found


# --- the table --------------------------------------------------------------------------------

PERSONAS = (
    "coordinator",
    "methodologist",
    "district_lead",
    "district_methodologist",
    "oo_admin",
    "oo_head",
    "teacher",
    "operator",
    "nobody",
    "anonymous",
)
# (inside, outside) status pairs
OK = (200, 404)  # sees its own, not the next one
NOT_FOUND = (404, 404)  # reaches no such object
FORBIDDEN = (403, 404)  # sees it, may not write it (or, for a class teacher, not all of it)
SAVED = (302, 404)  # wrote it (and redirected)
EVERYWHERE = (200, 200)  # the operator
EVERYWHERE_SAVED = (302, 302)
EVERYWHERE_FORBIDDEN = (403, 403)
NOT_ALLOWED = (405, 405)  # a POST-only view asked with GET: says nothing about the object
TO_LOGIN = (302, 302)


@dataclass(frozen=True)
class Route:
    """How to reach a URL and what each persona gets.

    ``target`` names the kind of object in the URL (see ``Objects``); ``get`` and ``post`` map a
    persona to its (inside, outside) statuses, everyone not listed getting ``default``; the
    anonymous visitor always gets TO_LOGIN. ``post`` is None for a view that does not write.
    """

    target: str
    get: dict[str, tuple[int, int]]
    post: dict[str, tuple[int, int]] | None = None
    default: tuple[int, int] = NOT_FOUND
    post_data: str = ""
    extra: dict = field(default_factory=dict)

    def expected(self, method: str, persona: str) -> tuple[int, int]:
        if persona == "anonymous":
            return TO_LOGIN
        table = self.get if method == "GET" else self.post
        return table.get(persona, self.default)


REGION_READERS = {"coordinator": OK, "methodologist": OK, "operator": EVERYWHERE}
DISTRICT_READERS = {**REGION_READERS, "district_lead": OK, "district_methodologist": OK}
ORGANIZATION_READERS = {**DISTRICT_READERS, "oo_admin": OK, "oo_head": OK}
UPLOAD_WRITERS = {  # the uploader (the coordinator) and operators; others in scope: 403
    "coordinator": SAVED,
    "methodologist": FORBIDDEN,
    "district_lead": FORBIDDEN,
    "district_methodologist": FORBIDDEN,
    "operator": EVERYWHERE_SAVED,
}
POST_ONLY = {p: NOT_ALLOWED for p in PERSONAS}
DISTRICT_MANAGERS_WRITE = {  # leads_municipality: the district lead, the coordinator, operators
    "coordinator": SAVED,
    "district_lead": SAVED,
    "methodologist": FORBIDDEN,
    "district_methodologist": FORBIDDEN,
    "operator": EVERYWHERE_SAVED,
}
ORGANIZATION_MANAGERS_WRITE = {
    **DISTRICT_MANAGERS_WRITE,
    "oo_admin": SAVED,
    "oo_head": FORBIDDEN,
    "teacher": FORBIDDEN,
}


def form_page(writes: dict) -> dict:
    """GET of a form page: whoever may write it opens it; the others as when they post."""
    opens = {SAVED: OK, EVERYWHERE_SAVED: EVERYWHERE}
    return {persona: opens.get(codes, codes) for persona, codes in writes.items()}


ROUTES: dict[str, Route] = {
    # registry
    "organizations:region": Route("region", REGION_READERS),
    "organizations:municipality": Route("municipality", DISTRICT_READERS),
    "organizations:organization": Route(
        "organization",
        {**ORGANIZATION_READERS, "teacher": OK},  # the teacher: own classes
    ),
    "organizations:person_invite": Route(
        "organization",
        form_page(ORGANIZATION_MANAGERS_WRITE),
        post=ORGANIZATION_MANAGERS_WRITE,
        post_data="invite",
    ),
    "organizations:person_send_link": Route(
        "membership", POST_ONLY, post=ORGANIZATION_MANAGERS_WRITE
    ),
    "organizations:invitation_resend": Route(
        "invitation", POST_ONLY, post=ORGANIZATION_MANAGERS_WRITE
    ),
    "organizations:invitation_revoke": Route(
        "invitation", POST_ONLY, post=ORGANIZATION_MANAGERS_WRITE
    ),
    # Inside: an invitation addressed to the persona; outside: one addressed to someone else.
    "organizations:invitation_respond": Route(
        "answer",
        POST_ONLY,
        post={p: SAVED for p in PERSONAS},
        post_data="answer",
    ),
    "organizations:class_create": Route(
        "organization",
        form_page(ORGANIZATION_MANAGERS_WRITE),
        post=ORGANIZATION_MANAGERS_WRITE,
        post_data="class",
    ),
    # The documents' requisites: the organisation's admin and head (who sign) and its district.
    "organizations:requisites": Route(
        "organization",
        form_page({**ORGANIZATION_MANAGERS_WRITE, "oo_head": SAVED}),
        post={**ORGANIZATION_MANAGERS_WRITE, "oo_head": SAVED},
        post_data="requisites",
    ),
    # A class teacher sees their own class and may not rename or remove it (403); another class
    # of their school does not exist for them (404).
    "organizations:class_rename": Route(
        "school_class",
        form_page(ORGANIZATION_MANAGERS_WRITE),
        post=ORGANIZATION_MANAGERS_WRITE,
        post_data="rename",
    ),
    "organizations:class_archive": Route(
        "school_class", form_page(ORGANIZATION_MANAGERS_WRITE), post=ORGANIZATION_MANAGERS_WRITE
    ),
    # Who may remove a role is who may give it (roles_grantable): a class teacher's role is
    # removed by the organisation's Sferum admin and by its district; the teacher sees only
    # their own membership, and may not remove it.
    "organizations:person_remove": Route(
        "membership", form_page(ORGANIZATION_MANAGERS_WRITE), post=ORGANIZATION_MANAGERS_WRITE
    ),
    "portal:region_audit": Route("region", REGION_READERS),
    "portal:municipality_audit": Route("municipality", DISTRICT_READERS),
    # monitoring
    "monitoring:upload": Route("upload", DISTRICT_READERS),
    "monitoring:upload_confirm": Route("upload", POST_ONLY, post=UPLOAD_WRITERS),
    "monitoring:upload_cancel": Route("upload", POST_ONLY, post=UPLOAD_WRITERS),
    "monitoring:upload_progress": Route("upload", DISTRICT_READERS),
    "monitoring:upload_problems": Route("upload", DISTRICT_READERS),
    "monitoring:upload_file": Route("upload", DISTRICT_READERS),
    "monitoring:region_targets": Route(
        "region",
        REGION_READERS,
        post={"coordinator": SAVED, "methodologist": FORBIDDEN, "operator": EVERYWHERE_SAVED},
        post_data="baselines",
    ),
    "monitoring:region_dashboard": Route("region", REGION_READERS),
    "portal:municipality_dashboard": Route("municipality", DISTRICT_READERS),
    # A class teacher reaches the school only through their classes: its organisation-wide
    # pages are refused (403; the school itself is no secret to them, its page shows it).
    "monitoring:organization_dashboard": Route(
        "organization", {**ORGANIZATION_READERS, "teacher": FORBIDDEN}
    ),
    # rollout
    "rollout:task": Route(
        "task",
        {**ORGANIZATION_READERS, "teacher": OK},
        post={  # a step is ticked by its owner, an organisation's item by its Sferum admin
            "oo_admin": SAVED,
            "teacher": SAVED,
            "oo_head": FORBIDDEN,
            "district_lead": FORBIDDEN,
            "district_methodologist": FORBIDDEN,
            "coordinator": FORBIDDEN,
            "methodologist": FORBIDDEN,
            "operator": EVERYWHERE_FORBIDDEN,
        },
        post_data="status",
    ),
    "rollout:evidence": Route("evidence", {**ORGANIZATION_READERS, "teacher": OK}),
    # The .docx draft of item 1.5: whoever sees the task; a teacher's own step has none (404).
    "rollout:task_draft": Route("draft_task", ORGANIZATION_READERS),
    "rollout:organization": Route("organization", {**ORGANIZATION_READERS, "teacher": FORBIDDEN}),
    "rollout:district": Route("municipality", DISTRICT_READERS),
    "rollout:district_matrix": Route("municipality", DISTRICT_READERS),
    "rollout:district_matrix_export": Route("municipality", DISTRICT_READERS),
    "rollout:district_deadlines": Route(
        "municipality", DISTRICT_READERS, extra={"kind": "overdue"}
    ),
    "rollout:district_contacts": Route(
        "municipality", DISTRICT_READERS, post=DISTRICT_MANAGERS_WRITE, post_data="contacts"
    ),
    "rollout:region": Route("region", REGION_READERS),
    # notify
    # «Напомнить»: POST only, by whoever leads the school's district (leads_municipality); the
    # school's own people and a class teacher see the school, and may not (403).
    "notify:nudge": Route(
        "organization",
        POST_ONLY,
        post={
            **DISTRICT_MANAGERS_WRITE,
            "oo_admin": FORBIDDEN,
            "oo_head": FORBIDDEN,
            "teacher": FORBIDDEN,
        },
    ),
    # «Рассылки»: a district's messages for its district lead and the region's coordinator; the
    # methodologists see the district and get 403; the school roles do not see a district.
    "notify:log": Route(
        "municipality",
        {
            "coordinator": OK,
            "district_lead": OK,
            "operator": EVERYWHERE,
            "methodologist": FORBIDDEN,
            "district_methodologist": FORBIDDEN,
        },
    ),
    # The region's messages: its coordinator only; the regional methodologist gets 403.
    "notify:region_log": Route(
        "region", {"coordinator": OK, "methodologist": FORBIDDEN, "operator": EVERYWHERE}
    ),
}

# Where each persona stands: decides its "inside" and "nearest outside" objects.
LEVEL = {
    "coordinator": "region",
    "methodologist": "region",
    "district_lead": "district",
    "district_methodologist": "district",
    "oo_admin": "school",
    "oo_head": "school",
    "teacher": "teacher",
    "operator": "region",
    "nobody": "region",
    "anonymous": "region",
}


def _cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for name, route in ROUTES.items():
        for persona in PERSONAS:
            for scope in ("inside", "outside"):
                cases.append((name, persona, scope, "GET"))
                if route.post is not None:
                    cases.append((name, persona, scope, "POST"))
    return cases


CASES = _cases()


# --- the objects ------------------------------------------------------------------------------


class Objects:
    """The inside and outside objects of each kind, built on demand from the test world."""

    def __init__(self, world, persona: str = ""):
        self.w = world
        self.persona = persona

    @cached_property
    def ukhta_school(self):
        return Organization.objects.get(municipality=self.w.other_municipality)

    def _school_of(self, level: str, scope: str):
        if scope == "inside":
            return self.w.school
        return {"school": self.w.other_school, "teacher": self.w.other_school,
                "district": self.ukhta_school}.get(level, self.w.far_school)  # fmt: skip

    def region(self, level, scope):
        return {"pk": (self.w.region if scope == "inside" else self.w.other_region).pk}

    def municipality(self, level, scope):
        if scope == "inside":
            return {"pk": self.w.municipality.pk}
        near = level in ("district", "school", "teacher")
        return {"pk": (self.w.other_municipality if near else self.w.far_municipality).pk}

    def organization(self, level, scope):
        return {"pk": self._school_of(level, scope).pk}

    def _teacher_membership(self, organization):
        if organization == self.w.school:
            return Membership.objects.get(user=self.w.teacher)
        school_class = SchoolClass.objects.create(organization=organization, name="1Т")
        user = person(Role.CLASS_TEACHER, organization, classes=[school_class])
        return Membership.objects.get(user=user)

    def membership(self, level, scope):
        organization = self._school_of(level, scope)
        if level == "teacher" and scope == "outside":
            # The teacher's own school, but a membership the teacher does not see.
            organization = self.w.school
            membership = Membership.objects.get(user=self.w.oo_head)
        else:
            membership = self._teacher_membership(organization)
        return {"pk": organization.pk, "membership_pk": membership.pk}

    def school_class(self, level, scope):
        """Inside: a class of the persona's school (a class teacher's: their own class).
        Outside: a class of the nearest school beyond the scope (a class teacher's: another
        class of their own school, which they do not teach)."""
        if level == "teacher":
            school_class = self.w.school_class if scope == "inside" else self.w.other_class
        else:
            organization = self._school_of(level, scope)
            n = SchoolClass.objects.count()
            school_class = SchoolClass.objects.create(organization=organization, name=f"8К{n}")
        return {"pk": school_class.organization_id, "class_pk": school_class.pk}

    def _invitation(self, organization, **fields) -> Invitation:
        n = Invitation.objects.count()
        return Invitation.objects.create(organization=organization, role=Role.CLASS_TEACHER,
                                         email=f"walk-invite-{n}@example.ru", last_name="Новикова",
                                         first_name="Ольга", invited_by=self.w.operator,
                                         **fields)  # fmt: skip

    def invitation(self, level, scope):
        organization = self._school_of(level, scope)
        return {"pk": organization.pk, "invitation_pk": self._invitation(organization).pk}

    def answer(self, level, scope):
        addressee = getattr(self.w, self.persona, None) if scope == "inside" else None
        invitation = self._invitation(self.w.far_school, user=addressee or self.w.nobody)
        if scope == "outside":
            invitation.user = person(Role.OO_HEAD, self.w.other_school)
            invitation.save()
        return {"pk": invitation.pk}

    def _task(self, level, scope) -> Task:
        if level == "teacher" and scope == "inside":
            return Task.objects.filter(user=self.w.teacher, step__isnull=False).first()
        organization = self.w.school if level == "teacher" else self._school_of(level, scope)
        return plan_task(organization, "2.1")

    def task(self, level, scope):
        return {"pk": self._task(level, scope).pk}

    def draft_task(self, level, scope):
        if level == "teacher" and scope == "inside":
            return self.task(level, scope)
        organization = self.w.school if level == "teacher" else self._school_of(level, scope)
        return {"pk": plan_task(organization, "1.5").pk}

    def evidence(self, level, scope):
        task = self._task(level, scope)
        evidence = Evidence(task=task, kind=EvidenceKind.FILE, original_name="акт.pdf",
                            content_kind="pdf", created_by=self.w.operator)  # fmt: skip
        evidence.file.save("act.pdf", ContentFile(b"%PDF-1.4\n%walk\n"), save=True)
        return {"pk": evidence.pk}

    def _upload(self, uploader, municipality) -> Upload:
        upload = Upload(uploaded_by=uploader, file_name="export.xlsx", sha256="0" * 64,
                        status=Upload.Status.PREVIEW, created_at=timezone.now())  # fmt: skip
        upload.file.save("export.xlsx", ContentFile(b"PK\x03\x04 not a real workbook"), save=True)
        upload.municipalities.set([municipality])
        return upload

    def upload(self, level, scope):
        """Inside: the coordinator's upload that wrote the persona's district. Outside: an upload
        that wrote only the next district (district and school roles) or the other region."""
        if scope == "inside":
            return {"pk": self._upload(self.w.coordinator, self.w.municipality).pk}
        if level in ("district", "school", "teacher"):
            return {"pk": self._upload(self.w.coordinator, self.w.other_municipality).pk}
        far_coordinator = person(Role.REGIONAL_COORDINATOR, self.w.other_region)
        return {"pk": self._upload(far_coordinator, self.w.far_municipality).pk}

    def post_data(self, kind: str, kwargs: dict, persona: str) -> dict:
        if kind == "invite":
            organization = Organization.objects.get(pk=kwargs["pk"])
            school_class, _ = SchoolClass.objects.get_or_create(organization=organization,
                                                                name="11Я")  # fmt: skip
            return {"role": Role.CLASS_TEACHER, "last_name": "Новикова", "first_name": "Ольга",
                    "email": f"walk-{persona}-{kwargs['pk']}@example.ru",
                    "classes": [school_class.pk]}  # fmt: skip
        if kind == "class":
            return {"name": f"10Ш{kwargs['pk']}"}
        if kind == "rename":
            return {"name": f"9Р{kwargs['class_pk']}"}
        if kind == "requisites":
            return {"full_name": "Полное наименование", "locality": "г. Емва"}
        if kind == "answer":
            return {"action": "decline"}
        if kind == "baselines":
            return {"effective_from": "2025-09-01", "staff_activity": "41",
                    "students_parents_activity": "21"}  # fmt: skip
        if kind == "status":
            return {"status": Status.IN_PROGRESS, "comment": "обход"}
        if kind == "contacts":
            return {"contacts": "uo@example.ru, +7 900 000-00-00", "consultation_hours": ""}
        return {}


@pytest.fixture(autouse=True)
def rollout_templates(db):
    # The data migration loads them, but a transactional test may have flushed the table.
    if not ChecklistTemplate.objects.exists():
        templates_load()


def _login(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


# --- the tests --------------------------------------------------------------------------------


def test_every_id_url_of_the_project_is_classified():
    found = id_urls()
    unknown = sorted(set(found) - set(ROUTES))
    assert not unknown, (
        f"URL(s) with an object id that the access walk does not know: {unknown}. Classify each "
        "in ROUTES of tests/security/test_access_walk.py: which object it takes and what every "
        "persona gets inside and outside its scope (or list it in SKIPPED_* with the reason)."
    )
    stale = sorted(set(ROUTES) - set(found))
    assert not stale, f"ROUTES lists URL(s) the project no longer has: {stale}"


def test_the_walk_skips_only_what_it_says():
    names = set(id_urls())
    assert not any(n.startswith("admin:") for n in names)
    assert "set_password" not in names
    assert len(ROUTES) == len(names)


@pytest.mark.parametrize("count", [len(CASES)], ids=[f"{len(CASES)}-cases"])
def test_the_walk_checks_url_persona_scope_cases(count, capsys):
    urls = len(ROUTES)
    posts = sum(1 for r in ROUTES.values() if r.post is not None)
    assert count == urls * len(PERSONAS) * 2 + posts * len(PERSONAS) * 2
    with capsys.disabled():
        print(
            f"\naccess walk: {urls} URLs with an id ({posts} of them write) × "
            f"{len(PERSONAS)} personas × inside/outside = {count} cases "
            f"({urls * len(PERSONAS) * 2} GET, {posts * len(PERSONAS) * 2} POST)"
        )


@pytest.mark.parametrize(
    ("name", "persona"),
    [(n, p) for n in ROUTES for p in PERSONAS],
    ids=[f"{n}-{p}" for n in ROUTES for p in PERSONAS],
)
def test_each_persona_gets_what_its_scope_says(world, client, name, persona):
    route = ROUTES[name]
    objects = Objects(world, persona)
    level = LEVEL[persona]
    build = getattr(objects, route.target)
    _login(client, world, persona)
    failures = []
    methods = ("GET", "POST") if route.post is not None else ("GET",)
    for scope in ("inside", "outside"):
        kwargs = {**build(level, scope), **route.extra}
        url = reverse(name, kwargs=kwargs)
        for method in methods:
            expected = route.expected(method, persona)[0 if scope == "inside" else 1]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, objects.post_data(route.post_data, kwargs, persona))
            if response.status_code != expected:
                failures.append(
                    f"{method} {url} ({scope}): expected {expected}, got {response.status_code}"
                )
            if expected == 404 and response.status_code == 403:
                failures[-1] += " — a 403 outside the scope tells that the object exists"
    assert not failures, f"{persona} on {name}:\n" + "\n".join(failures)
