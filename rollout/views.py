"""Rollout pages: "Мои шаги", a task with its status form and history (and the .docx draft of
items 1.5 and 1.6), an organisation's progress, the district's plan, matrix (and its xlsx),
deadlines and contacts, the region's districts. Every object comes through a scoped selector:
outside the scope is 404; a write the person's role does not allow is 403 (rollout.permissions
says why).
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from organizations import selectors as org_selectors
from organizations.contacts import organization_contacts
from organizations.permissions import edits_requisites, require, require_whole_organization
from sferum_portal import params, weeks
from sferum_portal.plurals import count_ru, plural_ru

from . import deadlines, documents, matrix, permissions, selectors, summaries
from .evidence import KIND_CONTENT_TYPES
from .exports import matrix_workbook
from .forms import DistrictContactsForm, MatrixFilterForm, TaskStatusForm
from .measures import measured_states
from .models import DistrictContacts, Evidence, EvidenceKind
from .next_steps import latest_kpis, next_steps_for_page
from .services import (
    district_contacts_publish,
    organization_tasks_ensure,
    task_status_change,
    tasks_mark_done,
)


@login_required
def my_steps(request):
    organization_tasks_ensure(organization_ids=selectors.own_organization_ids(request.user))
    data = selectors.my_steps(request.user)
    return render(request, "rollout/my_steps.html", {"data": data})


# More ticks than any person has rows on «Мои шаги»: a larger POST is not from the page.
BULK_TICK_MAX = 500


def _task_name(task) -> str:
    if task.step_id:
        title = f"{task.step.order}. {task.step.title}"
    else:
        title = f"{task.plan_item.label} {task.plan_item.title}"
    if task.class_name:
        title = f"{title} ({task.class_name})"
    return f"«{title if len(title) <= 80 else title[:79].rstrip() + '…'}»"


def _task_count(tasks) -> str:
    if all(t.plan_item_id for t in tasks):
        return count_ru(len(tasks), "пункт плана", "пункта плана", "пунктов плана")
    return count_ru(len(tasks), "шаг", "шага", "шагов")


def _bulk_message(result) -> str:
    """«Отмечено 3 шага; 1 шаг требует подтверждения — откройте его: «…»»."""
    parts = []
    if result.done:
        verb = plural_ru(len(result.done), "Отмечен", "Отмечено", "Отмечено")
        parts.append(f"{verb} {_task_count(result.done)}")
    if result.needs_evidence:
        n = len(result.needs_evidence)
        names = ", ".join(_task_name(t) for t in result.needs_evidence)
        parts.append(
            f"{_task_count(result.needs_evidence)} {plural_ru(n, 'требует', 'требуют', 'требуют')} "
            f"подтверждения — {'откройте его' if n == 1 else 'откройте их'}: {names}"
        )
    if result.already_closed:
        parts.append(f"уже закрыто: {_task_count(result.already_closed)}")
    for task, error in result.failed:
        parts.append(f"не отмечено {_task_name(task)}: {error}")
    text = "; ".join(parts) or "Ничего не отмечено"
    return text[0].upper() + text[1:] + "."


@login_required
@require_http_methods(["POST"])
def my_steps_tick(request):
    """«Отметить выбранные выполненными»: the checked rows of a block of «Мои шаги», each
    through task_status_change. A task outside the person's scope is 404 for the whole
    request, one they may not change 403 (permissions.change_refusal)."""
    fallback = reverse("rollout:my_steps")
    values = request.POST.getlist("task")
    if len(values) > BULK_TICK_MAX:
        return HttpResponseBadRequest("Слишком много шагов за один раз.")
    ids = {int(v) for v in values if v.isdigit()}
    if not ids:
        messages.warning(request, "Не выбрано ни одного шага: отметьте нужные флажками.")
        return redirect(params.safe_next(request, fallback))
    tasks = list(selectors.task_detail_queryset(request.user).filter(pk__in=ids).order_by("pk"))
    if len(tasks) != len(ids):
        raise Http404("Нет такого шага.")
    for task in tasks:
        refusal = permissions.change_refusal(request.user, task)
        if refusal:
            raise PermissionDenied(refusal)
    tasks.sort(key=lambda t: (t.class_name, t.step.order if t.step_id else t.plan_item.order))
    result = tasks_mark_done(tasks=tasks, user=request.user)
    clean = result.done and not (result.needs_evidence or result.failed)
    (messages.success if clean else messages.warning)(request, _bulk_message(result))
    return redirect(params.safe_next(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    task = org_selectors.get_visible_or_404(selectors.task_detail_queryset(request.user), pk=pk)
    refusal = permissions.change_refusal(request.user, task)
    form = None
    if request.method == "POST":
        if refusal:
            raise PermissionDenied(refusal)
        form = TaskStatusForm(request.POST, request.FILES, task=task)
        if form.is_valid():
            try:
                task_status_change(
                    task=task,
                    user=request.user,
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    reason=form.cleaned_data["reason"],
                    evidence=form.evidence_input(),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, "Изменение сохранено.")
                return redirect(params.safe_next(request, reverse("rollout:task", args=[task.pk])))
    elif refusal is None:
        form = TaskStatusForm(task=task)
    measured = None
    if task.is_measured:
        measured = measured_states([task.plan_item], [task.organization_id]).get(
            (task.plan_item_id, task.organization_id)
        )
    deadline = deadline_state = None
    if task.plan_item_id:
        place = task.organization or task.municipality
        region_id = place.municipality.region_id if task.organization_id else place.region_id
        today = deadlines.region_today(region_id)
        deadline = deadlines.deadline_for(task.plan_item, today)
        closed = measured.done is True if measured is not None else task.is_closed
        deadline_state = deadlines.deadline_state(task.plan_item, closed, today)
    contacts = None
    if task.step_id and task.step.evidence in (
        EvidenceKind.DISTRICT_CONTACTS,
        EvidenceKind.CONSULTATION_HOURS,
    ):
        contacts = DistrictContacts.objects.filter(municipality_id=task.municipality_id).first()
    return render(
        request,
        "rollout/task_detail.html",
        {
            "task": task,
            "form": form,
            "refusal": refusal,
            "measured": measured,
            "deadline": deadline,
            "deadline_state": deadline_state,
            "history": selectors.task_history(task),
            "evidence": task.evidence_items.select_related("created_by").first(),
            "contacts": contacts,
            "draft_kind": documents.draft_kind(task),
            "can_edit_requisites": task.organization_id is not None
            and edits_requisites(request.user, task.organization),
            "sees_organization": task.organization_id is not None
            and org_selectors.sees_whole_organization(request.user, task.organization),
            "next": params.safe_next(request, ""),
        },
    )


@login_required
@require_safe
def task_draft(request, pk: int):
    """The ready-to-sign .docx draft of an organisation's item 1.5 or 1.6 (rollout.documents),
    for whoever sees the task; 404 for any other task."""
    task = org_selectors.get_visible_or_404(selectors.task_detail_queryset(request.user), pk=pk)
    kind = documents.draft_kind(task)
    if kind is None:
        raise Http404("У этого пункта нет проекта документа.")
    draft = documents.render_draft(kind, task.organization)
    response = HttpResponse(draft.content, content_type=documents.DOCX_TYPE)
    response["Content-Disposition"] = draft.content_disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_download(request, pk: int):
    """The only way to a stored evidence file: through the task's scope, as an attachment."""
    evidence = org_selectors.get_visible_or_404(
        Evidence.objects.filter(task__in=selectors.tasks_visible_to(request.user)).exclude(file=""),
        pk=pk,
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Файл не найден в хранилище.") from exc
    content_type = KIND_CONTENT_TYPES.get(evidence.content_kind) or (
        mimetypes.guess_type(evidence.original_name)[0] or "application/octet-stream"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def organization_progress(request, pk: int):
    organization = org_selectors.get_visible_or_404(
        org_selectors.organizations_visible_to(request.user).select_related("municipality__region"),
        pk=pk,
    )
    require_whole_organization(request.user, organization)
    organization_tasks_ensure(organization_ids=[organization.pk])
    progress = selectors.organization_progress(request.user, organization)
    # The steps that would move the figures of its latest week below target (rollout.next_steps).
    week, kpis = latest_kpis(organization)
    return render(
        request,
        "rollout/organization_progress.html",
        {
            "organization": organization,
            "progress": progress,
            "next_steps": next_steps_for_page(request.user, organization, kpis, week),
            "next_steps_week": week,
            "leads_district": org_selectors.scope_of(request.user).covers_municipality(
                organization.municipality
            ),
        },
    )


def _visible_municipality(request, pk: int):
    return org_selectors.get_visible_or_404(
        org_selectors.municipalities_visible_to(request.user).select_related("region"), pk=pk
    )


@login_required
def district(request, pk: int):
    municipality = _visible_municipality(request, pk)
    today = deadlines.local_today(municipality.region.timezone)
    progress = matrix.district_progress(municipality, today=today)
    blocks, plan = selectors.district_task_rows(request.user, municipality, today)
    own_overdue = [r for r in plan.rows if r.deadline_state == "overdue"]
    own_week = [r for r in plan.rows if r.deadline_state == "week"]
    lagging = sorted(
        (r for r in progress.rows if r.percent is not None),
        key=lambda r: (r.percent, r.organization.short_name),
    )[:10]
    return render(
        request,
        "rollout/district.html",
        {
            "municipality": municipality,
            "progress": progress,
            "blocks": blocks,
            "plan": plan,
            # Organisation items as the matrix counts them (DistrictSummary), the district's
            # own УО items apart.
            "overdue_total": progress.overdue_cells + len(own_overdue),
            "own_overdue": len(own_overdue),
            "week_total": progress.due_week_cells + len(own_week),
            "lagging": lagging,
            "contacts": DistrictContacts.objects.filter(municipality=municipality).first(),
            "can_publish": permissions.can_publish_contacts(request.user, municipality),
        },
    )


def _matrix(request, municipality):
    today = deadlines.local_today(municipality.region.timezone)
    # Columns do not depend on the filters: build the form against them first.
    columns = matrix.matrix_columns()
    base = MatrixFilterForm(request.GET or None, columns=columns[0])
    values = base.values()
    progress = matrix.district_progress(
        municipality, today=today, org_type=values["type"], query=values["q"], columns=columns
    )
    rows = matrix.district_rows_filter(
        progress, status=values["status"], column=values["col"], overdue_only=values["overdue"]
    )
    if values["sort"] == "progress":
        rows = sorted(
            rows,
            key=lambda r: (r.percent if r.percent is not None else 101, r.organization.short_name),
        )
    return base, values, progress, rows


@login_required
def district_matrix(request, pk: int):
    municipality = _visible_municipality(request, pk)
    form, values, progress, rows = _matrix(request, municipality)
    return render(
        request,
        "rollout/district_matrix.html",
        {
            "municipality": municipality,
            "form": form,
            "values": values,
            "progress": progress,
            "rows": rows,
            "who_to_call": organization_contacts(request.user, [r.organization.pk for r in rows]),
            "column_percents": matrix.column_percents(progress, rows),
            "legend": [
                (state, matrix.CELL_SYMBOLS.get(state, ""), label)
                for state, label in matrix.CELL_LABELS.items()
            ],
            "filtered": any(values.values()),
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def district_matrix_export(request, pk: int):
    municipality = _visible_municipality(request, pk)
    _form, _values, progress, rows = _matrix(request, municipality)
    contacts = organization_contacts(request.user, [r.organization.pk for r in rows])
    content = matrix_workbook(progress, rows, contacts)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"matrix-{municipality.pk}-{progress.today:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def district_deadlines(request, pk: int, kind: str):
    if kind not in ("overdue", "week"):
        raise Http404("Нет такого списка.")
    municipality = _visible_municipality(request, pk)
    today = deadlines.local_today(municipality.region.timezone)
    progress = matrix.district_progress(municipality, today=today)
    _blocks, plan = selectors.district_task_rows(request.user, municipality, today)
    groups, own = matrix.district_deadlines(progress, plan, kind=kind)
    monday, sunday = weeks.week_bounds(today)
    return render(
        request,
        "rollout/district_deadlines.html",
        {
            "municipality": municipality,
            "kind": kind,
            "groups": groups,
            "own": own,
            "today": today,
            "monday": monday,
            "sunday": sunday,
            "week_label": weeks.week_label(monday),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def district_contacts(request, pk: int):
    municipality = _visible_municipality(request, pk)
    can_publish = permissions.can_publish_contacts(request.user, municipality)
    instance = DistrictContacts.objects.filter(municipality=municipality).first()
    if request.method == "POST":
        require(can_publish)
        form = DistrictContactsForm(request.POST, instance=instance)
        if form.is_valid():
            district_contacts_publish(
                municipality=municipality,
                user=request.user,
                contacts=form.cleaned_data["contacts"],
                consultation_hours=form.cleaned_data["consultation_hours"],
            )
            messages.success(request, "Контакты района опубликованы: их видит каждая ОО района.")
            return redirect("rollout:district", municipality.pk)
    else:
        form = DistrictContactsForm(instance=instance)
    return render(
        request,
        "rollout/district_contacts.html",
        {
            "municipality": municipality,
            "form": form if can_publish else None,
            "contacts": instance,
        },
    )


@login_required
def region(request, pk: int):
    region = org_selectors.get_visible_or_404(org_selectors.regions_visible_to(request.user), pk=pk)
    rows = summaries.region_summary(region, org_selectors.municipalities_visible_to(request.user))
    return render(request, "rollout/region.html", {"region": region, "summaries": rows})
