from django.conf import settings

from accounts.scoping import Action, can, user_scope


def navigation(request):
    """What the base layout needs to draw the navigation for this user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_title": settings.PORTAL_TITLE}
    scope = user_scope(user)
    return {
        "portal_title": settings.PORTAL_TITLE,
        "nav": {
            "level": scope.level,
            "can_import": can(user, Action.IMPORT),
            "can_create": can(user, Action.CREATE),
            "can_revert": can(user, Action.REVERT),
            "is_admin": user.is_superuser,
        },
    }
