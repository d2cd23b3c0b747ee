"""Ready-to-sign .docx drafts of plan items 1.5 (the order) and 1.6 (the Положение).

A draft is a docxtpl template filled from the registry. Which template: the active
``DocumentTemplate`` an administrator uploaded for (kind, organisation type), else theirs for
(kind, every type), else the shipped ``document_templates/<kind>-<type>.docx``, else the shipped
``<kind>.docx`` (built by ``scripts/build_document_templates.py``).

Which task has a draft: a plan item of an organisation whose evidence kind is
ORDER_APPOINTMENT (→ the order) or LOCAL_ACT (→ the Положение), so a renumbered item keeps it.

The order's number and date come from the organisation's newest ORDER_APPOINTMENT evidence that
has them (item 1.5, or the head's checklist step that records the same order); without one the
draft carries blanks. A draft costs three queries: the template row, the memberships, the
evidence. Templates render in a sandboxed Jinja environment with strict undefined: an unknown
name fails at upload (``template_problem``), not in a download.
"""

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from organizations.models import Membership, Organization, OrgType, Role

from .evidence import EvidenceFileError, evidence_file_check
from .models import DocumentKind, DocumentTemplate, Evidence, EvidenceKind

logger = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "document_templates"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND_BY_EVIDENCE = {
    EvidenceKind.ORDER_APPOINTMENT: DocumentKind.ORDER,
    EvidenceKind.LOCAL_ACT: DocumentKind.LOCAL_ACT,
}
BLANK_DATE = "«___» ________ 20__ г."
BLANK_NUMBER = "____"
# Blank rows of the acquaintance sheet after the people the registry knows, and the least rows.
SHEET_BLANKS, SHEET_ROWS = 5, 20

# The context every template gets: the one place it is documented (the admin shows it).
PLACEHOLDERS = (
    ("organization.full_name", "полное наименование ОО (не указано в реестре — краткое)"),
    ("organization.short_name", "краткое наименование ОО"),
    ("organization.sferum_id", "ID организации в Сферум"),
    ("organization.type", "тип ОО: ОУ, ДОУ, УДО, СПО, ОУО, другое"),
    ("organization.municipality", "муниципальное образование (МО)"),
    ("organization.region", "субъект РФ"),
    ("place", "место составления: населённый пункт ОО (не указан — название МО)"),
    ("head.full_name", "руководитель ОО: фамилия, имя, отчество"),
    ("head.initials", "руководитель ОО: «И. О. Фамилия» для подписи"),
    ("head.position", "должность руководителя: «Директор» или «Заведующий» (ДОУ)"),
    ("admin.full_name", "администратор Сферум в ОО: фамилия, имя, отчество"),
    ("admin.initials", "администратор Сферум в ОО: «И. О. Фамилия»"),
    ("appointed.responsible", "ответственный по приказу (из подтверждения п. 1.5), иначе пусто"),
    ("appointed.admin", "администратор по приказу (из подтверждения п. 1.5), иначе из реестра"),
    ("order.number", "номер приказа (п. 1.5) или пусто"),
    ("order.date", "дата приказа дд.мм.гггг или пусто"),
    ("order.number_line", "номер приказа или «____»"),
    ("order.date_line", "дата приказа или ««___» ________ 20__ г.»"),
    ("staff", "строки листа ознакомления: person.number, person.name, person.position"),
    ("today", "сегодняшняя дата дд.мм.гггг"),
)

HEAD_POSITIONS = {OrgType.DOU: "Заведующий"}


@dataclass(frozen=True)
class Draft:
    content: bytes
    filename: str  # ASCII, e.g. prikaz-1.5-900001.docx
    title: str  # Russian, for filename*

    @property
    def content_disposition(self) -> str:
        return f"attachment; filename=\"{self.filename}\"; filename*=UTF-8''{quote(self.title)}"


def draft_kind(task) -> str | None:
    """The draft a task offers: an organisation's plan item with the order's or act's evidence."""
    if not (task.plan_item_id and task.organization_id):
        return None
    return KIND_BY_EVIDENCE.get(task.plan_item.evidence)


def initials(user) -> str:
    """«И. О. Фамилия» (ГОСТ Р 7.0.97: initials before the surname in a signature)."""
    if user is None:
        return ""
    letters = [f"{part[0]}." for part in (user.first_name, user.patronymic) if part]
    return "\u00a0".join([*letters, user.last_name]) if user.last_name else user.full_name


def _person(user) -> dict:
    return {"full_name": user.full_name if user else "", "initials": initials(user)}


def _order(evidence: Evidence | None) -> dict:
    number = evidence.order_number if evidence else ""
    date = f"{evidence.order_date:%d.%m.%Y}" if evidence and evidence.order_date else ""
    return {
        "number": number,
        "date": date,
        "number_line": number or BLANK_NUMBER,
        "date_line": date or BLANK_DATE,
    }


def _staff(memberships: list[Membership], head, position: str) -> list[dict]:
    rank = {Role.OO_HEAD: 0, Role.OO_ADMIN: 1}
    people = {}
    for m in sorted(memberships, key=lambda m: (rank.get(m.role, 2), m.user.full_name)):
        people.setdefault(m.user_id, m.user)
    rows = [
        {"name": user.full_name, "position": position if user == head else ""}
        for user in people.values()
    ]
    rows += [{"name": "", "position": ""}] * max(SHEET_BLANKS, SHEET_ROWS - len(rows))
    return [{"number": n, **row} for n, row in enumerate(rows, start=1)]


def build_context(organization: Organization) -> dict:
    """The context of PLACEHOLDERS for one organisation (two queries)."""
    memberships = list(
        Membership.objects.filter(
            organization=organization,
            role__in=(Role.OO_HEAD, Role.OO_ADMIN, Role.CLASS_TEACHER),
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )
    first = {}
    for m in memberships:
        first.setdefault(m.role, m.user)
    head, admin = first.get(Role.OO_HEAD), first.get(Role.OO_ADMIN)
    evidence = (
        Evidence.objects.filter(
            task__organization=organization,
            task__archived=False,
            kind=EvidenceKind.ORDER_APPOINTMENT,
        )
        .exclude(order_number="", order_date__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    position = HEAD_POSITIONS.get(organization.org_type, "Директор")
    municipality = organization.municipality
    return {
        "organization": {
            "full_name": organization.full_name or organization.short_name,
            "short_name": organization.short_name,
            "sferum_id": organization.sferum_id,
            "type": organization.get_org_type_display(),
            "municipality": municipality.name,
            "region": municipality.region.name,
        },
        "place": organization.locality or municipality.name,
        "head": {**_person(head), "position": position},
        "admin": _person(admin),
        "appointed": {
            "responsible": evidence.appointed_responsible if evidence else "",
            "admin": (evidence.appointed_admin if evidence else "") or _person(admin)["full_name"],
        },
        "order": _order(evidence),
        "staff": _staff(memberships, head, position),
        "today": f"{timezone.localdate():%d.%m.%Y}",
    }


def sample_context() -> dict:
    """A context of the same shape, for checking an uploaded template."""
    return {
        "organization": {
            "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Школа № 1»",
            "short_name": "МБОУ «Школа № 1»",
            "sferum_id": 1,
            "type": "ОУ",
            "municipality": "МО",
            "region": "Субъект",
        },
        "place": "МО",
        "head": {
            "full_name": "Иванова Анна Петровна",
            "initials": "А. П. Иванова",
            "position": "Директор",
        },
        "admin": {"full_name": "Петров Иван Сергеевич", "initials": "И. С. Петров"},
        "appointed": {"responsible": "", "admin": "Петров Иван Сергеевич"},
        "order": _order(None),
        "staff": [{"number": 1, "name": "Иванова Анна Петровна", "position": "Директор"}],
        "today": "01.12.2025",
    }


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def render(source, context: dict) -> bytes:
    """Fill a template (a path or a binary file) and return the .docx bytes."""
    template = DocxTemplate(source)
    template.render(context, _environment(), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _problem_text(exc: Exception) -> str:
    message = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' is undefined", message)
        attr = re.search(r"has no attribute '([^']+)'", message)
        if name:
            return f"неизвестная переменная «{name.group(1)}»"
        if attr:
            return f"у переменной нет поля «{attr.group(1)}»"
        return f"неизвестная переменная ({message})"
    line = getattr(exc, "lineno", None)
    where = f" (строка XML {line})" if line else ""
    return f"ошибка синтаксиса шаблона{where}: {message}"


def template_problem(uploaded) -> str | None:
    """Why an uploaded template may not be used (a Russian sentence), or None if it renders."""
    try:
        checked = evidence_file_check(uploaded)
    except EvidenceFileError as exc:
        return str(exc)
    if checked.kind != "docx":
        return f"Шаблон должен быть документом Word (.docx), а «{checked.name}» — {checked.kind}."
    try:
        uploaded.seek(0)
        render(io.BytesIO(uploaded.read()), sample_context())
    except TemplateError as exc:
        return f"Шаблон «{checked.name}» не заполняется: {_problem_text(exc)}."
    except Exception as exc:  # a broken archive, XML docxtpl cannot parse
        logger.info("document template refused: %r", exc)
        return f"Шаблон «{checked.name}» не удалось прочитать как документ Word с переменными."
    finally:
        uploaded.seek(0)
    return None


def template_source(kind: str, org_type: str):
    """The template to fill: the admin's for the type, theirs for all, shipped (one query)."""
    rows = {
        row.org_type: row
        for row in DocumentTemplate.objects.filter(
            kind=kind, org_type__in=[org_type, ""], is_active=True
        )
    }
    for row in (rows.get(org_type), rows.get("")):
        if row is None:
            continue
        try:
            with row.file.open("rb") as handle:
                return io.BytesIO(handle.read())
        except (FileNotFoundError, ValueError):
            logger.warning("document template %s: file %s is missing", row.pk, row.file.name)
    typed = SHIPPED / f"{kind}-{org_type}.docx"
    return typed if typed.exists() else SHIPPED / f"{kind}.docx"


FILENAMES = {
    DocumentKind.ORDER: ("prikaz-1.5", "Проект приказа (п. 1.5)"),
    DocumentKind.LOCAL_ACT: ("polozhenie-1.6", "Проект положения (п. 1.6)"),
}


def render_draft(kind: str, organization: Organization) -> Draft:
    """The draft of ``kind`` for the organisation (its municipality and region loaded)."""
    content = render(template_source(kind, organization.org_type), build_context(organization))
    slug, title = FILENAMES[kind]
    safe_name = re.sub(r'[\\/:*?"<>|\s]+', " ", organization.short_name).strip()
    return Draft(
        content=content,
        filename=f"{slug}-{organization.sferum_id}.docx",
        title=f"{title} — {safe_name}.docx",
    )
