"""What the browser may do, on every kind of route: Permissions-Policy, COOP, CORP; __Host- cookies in production."""

import pytest
from django.conf import settings

from centres.models import StaffAssignment
from centres.roles import CENTRE_STAFF
from tests.conftest import make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def routes(client, almaty, settings):
    centre = make_centre(city=almaty)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    client.get("/ru/centres/?q=жан")  # the one search allowed: the next is a 429
    return {
        "home": ("/ru/", 200),
        "search": ("/ru/centres/?near=Алматы", 429),
        "list": ("/ru/centres/", 200),
        "centre": (f"/ru/centres/{centre.slug}/", 200),
        "country": ("/ru/countries/kz/", 200),
        "safety": ("/ru/safety/", 200),
        "exit": ("/exit/", 302),
        "404": ("/ru/no-such-page/", 404),
        "login": ("/ru/login/", 200),
        "admin login": ("/admin/login/", 200),
        "export": ("/ru/centres/export.csv", 200),
        "static": ("/static/css/site.css", 200),
    }


@pytest.mark.skipif(not (settings.BASE_DIR / "staticfiles").exists(), reason="needs collectstatic")
def test_every_kind_of_route_carries_the_browser_policies(client, routes):
    for kind, (url, status) in routes.items():
        response = client.get(url)
        assert response.status_code == status, kind
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", kind
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", kind
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy and "payment=()" in policy, kind
        expected = "geolocation=(self)" if kind in {"home", "list", "search"} else "geolocation=()"  # the list asks
        assert expected in policy, (kind, policy)


def test_the_staff_page_carries_them_too(client, almaty):
    staff = make_user("night", CENTRE_STAFF, is_staff=True)
    StaffAssignment.objects.create(user=staff, centre=make_centre(city=almaty))
    sign_in(client, staff)
    response = client.get("/ru/staff/")
    assert response.status_code == 200
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_production_cookies_carry_the_host_prefix(client):
    assert not settings.DEBUG  # tests run with production settings
    response = client.get("/ru/login/")
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    make_user("anna", "advocate")
    response = client.post("/ru/login/", {"username": "anna", "password": "a long test password 1"})
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["path"] == "/"
