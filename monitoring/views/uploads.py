"""«Загрузка статистики»: upload Sferum exports, see the preview, confirm, follow progress,
and browse the history of uploads within one's scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from monitoring import permissions as upload_permissions
from monitoring import services
from monitoring.exports import problems_workbook
from monitoring.forms import ConfirmUploadForm, StatisticsUploadForm
from monitoring.models import Upload
from monitoring.selectors import (
    upload_problems_for,
    upload_rows_written_for,
    upload_summary_for,
    upload_view,
    upload_views,
    uploads_visible_to,
)
from organizations import permissions, selectors
from sferum_portal import params
from sferum_portal.xlsx import XLSX_CONTENT_TYPE, workbook_bytes

PROBLEMS_SHOWN = 500


def _visible_upload(request, pk: int) -> Upload:
    return selectors.get_visible_or_404(uploads_visible_to(request.user), pk=pk)


@login_required
def upload_list(request):
    permissions.require(
        upload_permissions.can_upload_statistics(request.user),
        "Загружать статистику могут региональный координатор, методист и районный ответственный.",
    )
    form = StatisticsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = [
            services.upload_receive(uploaded_file=f, user=request.user)
            for f in form.cleaned_data["files"]
        ]
        if len(uploads) == 1:
            return redirect("monitoring:upload", uploads[0].pk)
        ids = ",".join(str(u.pk) for u in uploads)
        return redirect(f"{reverse('monitoring:upload_list')}?ids={ids}")
    history = uploads_visible_to(request.user).prefetch_related("municipalities")
    batch_ids = params.param_int_list(request.GET, "ids")
    batch = list(history.filter(pk__in=batch_ids)) if batch_ids else []
    page = Paginator(history, 25).get_page(params.param_int(request.GET, "page"))
    # Counts of an upload seen only in part (other МО's rows in it) are not shown.
    views = upload_views(request.user, [*page, *batch])
    for upload in [*page, *batch]:
        upload.seen_whole = views[upload.pk].whole
    return render(
        request,
        "monitoring/upload_list.html",
        {"form": form, "page": page, "batch": batch},
    )


@login_required
def upload_detail(request, pk: int):
    upload = _visible_upload(request, pk)
    view = upload_view(request.user, upload)
    problems = upload_problems_for(view, upload)
    errors, warnings = problems.filter(severity="error"), problems.filter(severity="warning")
    part = None
    if not view.whole:  # their МО's rows and counts only
        part = {
            "errors_count": errors.count(),
            "warnings_count": warnings.count(),
            "rows_written": upload_rows_written_for(view, upload),
            "municipalities": sorted(view.municipality_names),
        }
    return render(
        request,
        "monitoring/upload_detail.html",
        {
            "upload": upload,
            "part": part,
            "errors": errors[:PROBLEMS_SHOWN],
            "warnings": warnings[:PROBLEMS_SHOWN],
            "problems_shown": PROBLEMS_SHOWN,
            "confirm_form": ConfirmUploadForm(initial={"skip_invalid": upload.skip_invalid}),
            "can_confirm": upload_permissions.owns_upload(request.user, upload)
            and upload.status == Upload.Status.PREVIEW,
            "summary": upload_summary_for(view, upload),
        },
    )


@login_required
@require_POST
def upload_confirm(request, pk: int):
    upload = _visible_upload(request, pk)
    permissions.require(upload_permissions.owns_upload(request.user, upload))
    form = ConfirmUploadForm(request.POST)
    form.is_valid()
    try:
        services.upload_confirm(
            upload=upload,
            skip_invalid=form.cleaned_data["skip_invalid"],
            move_organizations=form.cleaned_data["move_organizations"],
        )
    except services.UploadRefused as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:upload", upload.pk)


@login_required
@require_POST
def upload_cancel(request, pk: int):
    upload = _visible_upload(request, pk)
    permissions.require(upload_permissions.owns_upload(request.user, upload))
    services.upload_cancel(upload=upload)
    messages.info(request, f"Загрузка «{upload.file_name}» отменена: ничего не записано.")
    return redirect("monitoring:upload_list")


@login_required
def upload_progress(request, pk: int):
    upload = _visible_upload(request, pk)
    progress, note = 100, upload.progress_note
    if upload.is_active:
        live = cache.get(services.progress_key(upload.pk)) or {}
        progress, note = live.get("progress", upload.progress), live.get("note", note)
    return JsonResponse(
        {
            "status": upload.status,
            "status_display": upload.get_status_display(),
            "active": upload.is_active,
            "progress": progress,
            "note": note,
        }
    )


@login_required
def upload_problems_xlsx(request, pk: int):
    upload = _visible_upload(request, pk)
    problems = upload_problems_for(upload_view(request.user, upload), upload)
    response = HttpResponse(
        workbook_bytes(problems_workbook(upload, problems)), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="problems-{upload.pk}.xlsx"'
    return response


@login_required
def upload_file(request, pk: int):
    upload = _visible_upload(request, pk)
    if not upload.file:  # refused as unsafe: not kept
        raise Http404("Файл не сохранён.")
    if not upload_view(request.user, upload).whole:
        # The original holds other МО's rows: only for whoever may read all of them.
        raise Http404("Исходный файл доступен загрузившему и тем, кто отвечает за все его МО.")
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.file_name)
