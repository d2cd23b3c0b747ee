"""Signing in with the login name or with the e-mail address an invitation was sent to.

The login form's first field takes either. A name is looked up as Django does; text with «@»
that is nobody's login is taken as an address and signs in the one active account that has it
(case ignored). An address shared by several accounts signs in none of them: the person then
uses the login name, which the invitation and the password-reset e-mail both give.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# Its dotted path, for login() calls that name the backend (settings list two).
BACKEND = "organizations.auth_backends.LoginOrEmailBackend"


class LoginOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or "@" not in username or password is None:
            return user
        model = get_user_model()
        if model._default_manager.filter(**{model.USERNAME_FIELD: username}).exists():
            return None  # a login that contains «@»: its own password decides
        matches = list(model._default_manager.filter(email__iexact=username.strip())[:2])
        if len(matches) != 1:
            model().set_password(password)  # the same time spent as for a known address
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
