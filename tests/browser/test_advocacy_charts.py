"""An advocate's charts in Chromium at 360 and 1280 px: no label of the what-if curve or the dashboard's charts
extends past its drawing, nothing is asked of another site, and the curve reads without JavaScript."""

from decimal import Decimal

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import CountryRules
from tests.browser.advocates import OUTSIDE, PASSWORD, signed_in_page
from tests.conftest import make_centre, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelters(live_server, migration_data):
    rules = CountryRules.objects.get(country="KZ")
    rules.min_premises_area_m2, rules.min_area_per_bed_m2 = Decimal("60"), Decimal("6")
    rules.save()
    for n, area in enumerate(["25", "48", "59.9", "75", "79", "110"]):
        make_centre(
            name=f"Убежище {n}", services=["shelter"], beds=5 + n, compliance={"premises_area_m2": Decimal(area)}
        )
    user = make_user("advocate-1", "advocate")
    user.set_password(PASSWORD)
    user.save()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_no_chart_label_is_cut_off_and_nothing_leaves_the_site(shelters, live_server, new_context, width, tmp_path):
    page = signed_in_page(new_context, live_server, width)
    for path in ["/ru/at-risk/what-if/?country=KZ&min_area=80", "/ru/dashboard/"]:
        page.goto(live_server.url + path)
        assert page.locator("svg[role=img]").count() >= 1, path
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}-{width}.png"), full_page=True)
        assert page.evaluate(OUTSIDE) == [], (path, width)
    assert page.context.requests.leaving() == []


def test_the_curve_and_its_numbers_read_without_javascript(shelters, live_server, new_context):
    page = signed_in_page(new_context, live_server, 360, javascript=False)
    page.goto(f"{live_server.url}/ru/at-risk/what-if/?country=KZ&min_area=80")
    assert "окажутся ниже порога" in page.locator("main").inner_text()
    assert page.locator("svg[role=img] polyline").count() == 1
    page.locator("summary", has_text="Числа").click()
    assert page.locator("table").last.locator("tbody tr").count() == 13


def test_a_dossier_prints_on_at_most_two_a4_pages_without_the_sites_controls(shelters, live_server, new_context):
    pypdf = pytest.importorskip("pypdf")
    import io

    from centres.models import Centre, Compliance

    centre = Centre.objects.get(name="Убежище 1")
    compliance = Compliance.objects.get(centre=centre)
    for status in ["applied", "licensed", "suspended", "licensed", "revoked", "applied"] * 3:  # a long history
        compliance.licence_status = status
        compliance.save()
    page = signed_in_page(new_context, live_server, 1280)
    page.goto(f"{live_server.url}/ru/at-risk/{centre.slug}/dossier/")
    sheets = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    text = " ".join(" ".join(sheet.extract_text().split()) for sheet in sheets)
    assert 1 <= len(sheets) <= 2, len(sheets)
    assert "Убежище 1" in text and "Быстрый выход" not in text and "Распечатать досье" not in text


def test_the_dashboard_reads_without_javascript(shelters, live_server, new_context):
    page = signed_in_page(new_context, live_server, 360, javascript=False)
    page.goto(f"{live_server.url}/ru/dashboard/")
    charts = page.locator("main svg[role=img]")
    assert charts.count() == 7
    assert all(charts.nth(index).bounding_box()["width"] >= 300 for index in range(7))  # the column's width
    operators = page.locator("section", has=page.locator("#operators-heading"))
    table = operators.locator("table")
    assert not table.is_visible()  # folded under its chart
    operators.locator("summary", has_text="Числа").click()
    assert table.is_visible() and "Казахстан" in table.inner_text()
    assert page.evaluate(OUTSIDE) == []
