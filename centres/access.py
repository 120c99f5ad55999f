"""Who may see what beyond the public pages: one helper per rule, and the decorator that applies it to a view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ADVOCACY_GROUPS = {"advocate", "editor"}


def may_see_advocacy(user) -> bool:
    """Advocates, editors and superusers. Asked twice per page (the view's guard and the navigation), so the
    answer is kept on the request's user object."""
    if not hasattr(user, "_may_see_advocacy"):
        groups = user.groups.filter(name__in=ADVOCACY_GROUPS)
        user._may_see_advocacy = user.is_active and (user.is_superuser or groups.exists())
    return user._may_see_advocacy


def advocacy_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; logged-in people outside the two groups are refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_see_advocacy(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
