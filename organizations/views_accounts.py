"""The password reset form, throttled (organizations/throttle.py): too many requests for one
address or from one client get the same refusal whether or not an account has that address."""

from django.contrib.auth import views as auth_views

from . import throttle


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        refusal = throttle.link_request_check(
            request=self.request, email=form.cleaned_data["email"], flow="reset"
        )
        if refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
