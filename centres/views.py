from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from centres.models import Hotline


def home(request: HttpRequest) -> HttpResponse:
    hotlines = Hotline.objects.order_by("country", "-is_main", "position", "number")
    return render(request, "centres/home.html", {"hotlines": hotlines})


class LoginView(auth_views.LoginView):
    """Login for people who are not staff: advocates and centre staff (editors may use /admin/ too)."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
