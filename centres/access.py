"""Who may see what beyond the public pages. Every rule asks for a permission (the roles in `roles.py` grant them),
never for a group's name; `permission_required` applies one to a view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

VIEW_AT_RISK = "centres.view_at_risk"
EXPORT_AT_RISK = "centres.export_at_risk"
UPDATE_OWN_CENTRES = "centres.update_own_centres"
CHANGE_ANY_CENTRE = "centres.change_centre"


def may_see_advocacy(user) -> bool:
    """Advocates, editors and superusers: the at-risk list and the dashboard. (Django keeps the user's
    permissions on the user object, so asking twice a page costs one query.)"""
    return user.is_active and user.has_perm(VIEW_AT_RISK)


def may_see_private_figures(user) -> bool:
    """Editors and advocates (who may read the records): the places free of hidden and city-only shelters, which
    the public and centre staff (of other centres) are told to call about."""
    return user.is_active and user.has_perm("centres.view_centre")


def staffed_centre_ids(user) -> set:
    """The centres a centre-staff login works for; none for anyone without the permission."""
    if not (user.is_active and user.has_perm(UPDATE_OWN_CENTRES)):
        return set()
    if not hasattr(user, "_staffed_centre_ids"):
        user._staffed_centre_ids = set(user.staff_assignments.values_list("centre_id", flat=True))
    return user._staffed_centre_ids


def permission_required(permission: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous visitors go to the login page; logged-in people without `permission` are refused."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_active and request.user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
