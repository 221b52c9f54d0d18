"""Who may see and do what. Views and API views use these; nothing else decides access."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role

PAGE_ROLES = (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)


def user_has_role(user, roles) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.effective_role in roles)


def role_required(*roles: str):
    """Page views: sign-in first, then 403 unless the user has one of ``roles``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def api_roles(*roles: str) -> type[BasePermission]:
    """DRF permission class allowing authenticated users with one of ``roles``."""

    class HasRole(BasePermission):
        message = "Your role does not give access to this resource."

        def has_permission(self, request, view) -> bool:
            return user_has_role(request.user, roles)

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole
