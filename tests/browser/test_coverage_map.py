"""The coverage map in Chromium at 360 and 1280 px, with JavaScript and without: no text of the map or its legend
extends past the drawing, the circles and dots are there, and nothing is asked of another site."""

import datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import Place, Population
from tests.browser.advocates import OUTSIDE, PASSWORD, signed_in_page
from tests.conftest import make_centre, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gaps(live_server, migration_data):
    """Population for five regions, in the south where the circles crowd, and shelters at public, hidden and
    city-only addresses."""
    as_of = datetime.date(2025, 12, 1)
    Population.objects.all().delete()  # the migration's figures, when an earlier test left them
    for region, inhabitants in [("KZ-75", 2_345_012), ("KZ-79", 1_291_011), ("KZ-61", 2_148_168)]:
        Population.objects.create(
            country="KZ", region_id=region, population=inhabitants, as_of=as_of, source_publisher="Bureau"
        )
    for region, inhabitants in [("TJ-KT", 3_800_000), ("TJ-DU", 1_290_000)]:
        Population.objects.create(
            country="TJ", region_id=region, population=inhabitants, as_of=as_of, source_publisher="Agency"
        )
    almaty = Place.objects.named("Алматы").get(country="KZ")
    shymkent = Place.objects.named("Шымкент").get(country="KZ")
    make_centre(name="Убежище", city=almaty, beds=20, address_visibility="public")
    make_centre(name="Скрытое убежище", city=shymkent, beds=10, address_visibility="hidden")
    user = make_user("advocate-1", "advocate")
    user.set_password(PASSWORD)
    user.save()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("width", [360, 1280])
def test_no_map_text_is_cut_off_and_nothing_leaves_the_site(
    gaps, live_server, new_context, width, javascript, tmp_path
):
    page = signed_in_page(new_context, live_server, width, javascript)
    page.goto(f"{live_server.url}/ru/coverage/")
    drawing = page.locator("figure svg[role=img]")
    assert drawing.count() == 1
    assert drawing.locator("path").count() == 4  # the countries
    assert drawing.locator("g[fill='#dc3545'] circle").count() == 5  # one circle per region with a gap
    assert drawing.locator("g[fill='#0a3d7a'] circle").count() == 1  # Almaty's dot; not Shymkent's hidden shelter
    drawn = drawing.bounding_box()["width"]
    assert 559 <= drawn <= 861, drawn  # site.css .chart-scroll: scrolled sideways on a phone, never wider than 860
    page.screenshot(path=str(tmp_path / f"coverage-{width}-{javascript}.png"), full_page=True)
    assert page.evaluate(OUTSIDE) == [], width
    assert page.context.requests.leaving() == []
