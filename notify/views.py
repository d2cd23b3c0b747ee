"""Pages of the notify app: the person's «Рассылки и уведомления» settings (channels, kinds,
the MAX link with its QR code), the one-click unsubscribe, and the MAX bot's webhook."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import linking
from .forms import PreferenceForm
from .models import Kind, MaxLink, Preference
from .outbox import max_enabled
from .tokens import unsubscribe_read


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    preference, _ = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST":
        if request.POST.get("action") == "unlink_max":
            linking.unbind(request.user)
            messages.success(request, "МАХ отвязан: сообщения туда больше не придут.")
            return redirect("notify:settings")
        if form.is_valid():
            form.save()
            messages.success(request, "Настройки рассылок сохранены.")
            return redirect("notify:settings")
    link, url, qr = None, "", ""
    if max_enabled() and settings.MAX_BOT_NAME:
        link = MaxLink.objects.filter(user=request.user).first()
        if link is None or not link.is_linked:
            link, url = linking.deep_link(request.user)
            qr = linking.qr_svg(url)
    return render(
        request,
        "notify/settings.html",
        {
            "form": form,
            "max_on": max_enabled() and bool(settings.MAX_BOT_NAME),
            "link": link,
            "deep_link": url,
            "qr": qr,
        },
    )


@csrf_exempt  # RFC 8058: a mail client's one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    read = unsubscribe_read(token)
    if read is None:
        raise Http404("Ссылка недействительна.")
    user_id, kind = read
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or kind not in Kind.values:
        raise Http404("Ссылка недействительна.")
    done = False
    if request.method == "POST":
        preference, _ = Preference.objects.get_or_create(user=user)
        setattr(preference, kind, False)
        preference.save(update_fields=[kind, "updated_at"])
        done = True
    return render(request, "notify/unsubscribe.html", {"kind": Kind(kind).label, "done": done})


@csrf_exempt
@require_POST
def max_webhook(request):
    """MAX's updates; without the right ``X-Max-Bot-Api-Secret`` the request is refused."""
    secret = settings.MAX_WEBHOOK_SECRET
    given = request.headers.get("X-Max-Bot-Api-Secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden("wrong secret")
    try:
        update = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    if isinstance(update, dict) and update.get("update_type") == "bot_started":
        linking.bind(update)
    # Every update is acknowledged: MAX retries what is not, and an unknown payload stays unknown.
    return JsonResponse({"ok": True})
