"""An editor imports a spreadsheet in the editor area: upload, a preview with an error, fix, upload, confirm."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import Centre
from tests.conftest import current_code, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password 1"


def test_an_editor_uploads_fixes_the_row_the_preview_points_at_confirms_and_sees_it_in_the_history(
    live_server, new_context, centre, tmp_path
):
    editor = make_user("aigul", "editor", is_staff=True)
    app = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    page = new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "aigul")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url="**/second-factor/**"):
        page.click("input[type=submit]")
    page.fill("#id_code", current_code(app))
    with page.expect_navigation(url="**/admin/"):
        page.click("button[type=submit] >> text=Continue")
    page.goto(f"{live_server.url}/admin/centres/centre/")
    with page.expect_navigation():
        page.click("text=Import from a file")

    bad = tmp_path / "centres.csv"
    bad.write_text(f"id,beds,version\n{centre.pk},many,{centre.version}\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("text=Show what it would do")
    error = page.locator("tr.import-error")
    assert error.count() == 1
    assert "'many' is not a whole number" in error.inner_text()
    assert error.locator("td").first.inner_text() == "2"  # the spreadsheet's row
    assert page.locator("text=Write these changes").count() == 0

    good = tmp_path / "centres-fixed.csv"
    good.write_text(f"id,beds,version\n{centre.pk},12,{centre.version}\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(good))
    with page.expect_navigation():
        page.click("text=Show what it would do")
    assert "0 created, 1 changed, 0 unchanged." in page.content()
    with page.expect_navigation(url="**/admin/centres/centre/"):
        page.click("text=Write these changes")
    assert "Centres-fixed.csv imported: 0 created, 1 changed" in page.locator(".messagelist").inner_text()

    assert Centre.objects.get(pk=centre.pk).beds == 12
    page.goto(f"{live_server.url}/admin/centres/centre/{centre.pk}/history/")
    history = page.content()
    assert "import centres-fixed.csv" in history and "aigul" in history
