"""Who may write monitoring data: upload statistics, confirm or cancel an upload, set a region's
targets. Like organizations/permissions.py, these apply to objects already in the person's scope
(organizations.selectors); a refusal is a 403."""

from organizations.models import Role
from organizations.selectors import scope_of

from .models import Upload

UPLOADER_ROLES = frozenset({Role.REGIONAL_COORDINATOR, Role.METHODOLOGIST, Role.DISTRICT_LEAD})


def can_upload_statistics(user) -> bool:
    """A regional coordinator, a methodologist or a district lead (or an operator)."""
    scope = scope_of(user)
    return scope.is_operator or bool(scope.roles & UPLOADER_ROLES)


def owns_upload(user, upload: Upload) -> bool:
    """The uploader (or an operator) confirms, cancels and sees the whole of an upload."""
    return upload.uploaded_by_id == user.pk or scope_of(user).is_operator


def coordinates_region(user, region) -> bool:
    """The region's coordinator (or an operator): sets its targets."""
    scope = scope_of(user)
    return scope.is_operator or scope.holds(Role.REGIONAL_COORDINATOR, region=region.pk)
