from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from centres.models import Hotline
from centres.vocabularies import Country


def home(request: HttpRequest) -> HttpResponse:
    order = {code: position for position, code in enumerate(Country.values)}  # Kazakhstan first, as the menu
    hotlines = sorted(
        Hotline.objects.order_by("-is_main", "position", "number"), key=lambda hotline: order[hotline.country]
    )
    return render(request, "centres/home.html", {"hotlines": hotlines})


class LoginView(auth_views.LoginView):
    """Login for people who are not staff: advocates and centre staff (editors may use /admin/ too)."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
