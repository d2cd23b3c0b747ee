"""Russian names of the built-in permissions («Может изменять: роль» for «Can change роль»).

Django builds a permission's name as ``"Can %s %s" % (action, verbose_name)`` without gettext
and stores it in the database (``auth.Permission.name``), so a translation catalogue cannot reach
it: the admin's permission lists would show English. After each ``migrate`` creates the
permissions of an app, ``rename_builtin_permissions`` gives the built-in ones Russian names; the
model's name follows a colon, so its case never has to agree.
"""

from django.db import DEFAULT_DB_ALIAS, router

ACTIONS = {
    "add": "Может добавлять",
    "change": "Может изменять",
    "delete": "Может удалять",
    "view": "Может просматривать",
}


def permission_name(action: str, verbose_name: str) -> str:
    return f"{ACTIONS[action]}: {verbose_name}"


def rename_builtin_permissions(sender, app_config=None, using=DEFAULT_DB_ALIAS, apps=None, **kw):
    """``post_migrate``: rename the app's built-in permissions that still carry Django's name."""
    if app_config is None or apps is None:
        return
    try:
        Permission = apps.get_model("auth", "Permission")
        ContentType = apps.get_model("contenttypes", "ContentType")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Permission):
        return
    for model in app_config.get_models():
        opts = model._meta
        actions = [a for a in opts.default_permissions if a in ACTIONS]
        if not actions:
            continue
        content_type = (
            ContentType.objects.db_manager(using)
            .filter(app_label=opts.app_label, model=opts.model_name)
            .first()
        )
        if content_type is None:
            continue
        for action in actions:
            name = permission_name(action, str(opts.verbose_name_raw))[:255]
            Permission.objects.db_manager(using).filter(
                content_type=content_type, codename=f"{action}_{opts.model_name}"
            ).exclude(name=name).update(name=name)
