"""A centre's staff member on a phone: password, code from the app, one tap on +, one on Save; the public page
shows the new figure."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import Centre, StaffAssignment
from centres.roles import CENTRE_STAFF
from tests.conftest import current_code, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password 1"


def test_staff_update_places_free_in_two_taps_after_login_on_a_phone(live_server, new_context, centre, tmp_path):
    centre.address_visibility, centre.address, centre.beds, centre.beds_free = "public", "пр. Абая, 1", 10, 2
    centre.save()
    staff = make_user("night-shift", CENTRE_STAFF, is_staff=True)
    StaffAssignment.objects.create(user=staff, centre=centre)
    page = new_context(viewport={"width": 360, "height": 740}, locale="ru-RU", has_touch=True).new_page()

    app = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    page.goto(f"{live_server.url}/ru/login/")
    page.fill("#id_username", "night-shift")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url="**/ru/second-factor/**"):
        page.click("button[type=submit]")
    page.screenshot(path=str(tmp_path / "code-360.png"), full_page=True)
    page.fill("#id_code", current_code(app))  # from the authenticator app
    with page.expect_navigation(url="**/ru/staff/"):
        page.get_by_role("button", name="Продолжить").tap()
    page.screenshot(path=str(tmp_path / "staff-360.png"), full_page=True)
    figure = page.locator(".places-figure")
    assert figure.input_value() == "2"
    plus = page.get_by_role("button", name="На одно место больше")
    box = plus.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # big enough for a thumb

    plus.tap()  # tap one
    assert figure.input_value() == "3"
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить").tap()  # tap two
    assert "Сохранено: 3 свободных мест" in page.locator("[role=status]").inner_text()

    saved = Centre.objects.get(pk=centre.pk)
    assert saved.beds_free == 3 and saved.beds_free_updated_at > centre.beds_free_updated_at
    public = new_context(viewport={"width": 360, "height": 740}, locale="ru-RU").new_page()
    public.goto(f"{live_server.url}/ru/centres/{centre.slug}/")
    assert "3 (обновлено только что)" in " ".join(public.locator(".places-free").inner_text().split())
