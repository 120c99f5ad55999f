"""On a small phone: Quick exit lies over nothing at any width, and after a search the first result is on the first
screen, open before closed, with what decides a call (issue 12)."""

import datetime

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import Place
from centres.roles import ADVOCATE, EDITOR
from tests.conftest import current_code, make_centre, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long test password 1"
WIDTHS = [320, 360, 768, 1280, 1920]
# Everything a click could land on, and the title.
CONTROLS = "a, button, input, select, summary, .site-name"


def overlapping_quick_exit(page) -> list[str]:
    """The visible controls whose box meets Quick exit's, as text."""
    return page.evaluate(
        """selector => {
            const exit = document.querySelector('#quick-exit').getBoundingClientRect();
            const meets = box => box.left < exit.right && exit.left < box.right && box.top < exit.bottom
                && exit.top < box.bottom;
            return [...document.querySelectorAll(selector)]
                .filter(element => element.id !== 'quick-exit' && !element.closest('#quick-exit'))
                .filter(element => { const box = element.getBoundingClientRect();
                                     return box.width > 0 && box.height > 0 && meets(box); })
                .map(element => element.outerHTML.slice(0, 120));
        }""",
        CONTROLS,
    )


def log_in(page, base_url: str, user) -> None:
    app = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base_url}/ru/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url="**/ru/second-factor/**"):
        page.click("button[type=submit]")
    page.fill("#id_code", current_code(app))
    with page.expect_navigation():
        page.get_by_role("button", name="Продолжить").click()


def test_quick_exit_meets_no_control_or_title_at_any_width_signed_in_or_not(live_server, new_context, centre):
    signed_in = new_context(viewport={"width": 1280, "height": 900}).new_page()
    # Both areas' links at once: the longest header there is.
    log_in(signed_in, live_server.url, make_user("both", ADVOCATE, is_staff=True))
    assert signed_in.get_by_role("button", name="Выйти").count() == 1
    anonymous = new_context().new_page()
    for width in WIDTHS:
        for page in (signed_in, anonymous):
            page.set_viewport_size({"width": width, "height": 800})
            for path in ("/ru/", "/kk/centres/?q=алматы", "/ky/safety/", f"/tg/centres/{centre.slug}/"):
                page.goto(f"{live_server.url}{path}")
                assert overlapping_quick_exit(page) == [], (width, path)


def test_editors_log_out_link_is_away_from_quick_exit(live_server, new_context, migration_data):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, make_user("editor", EDITOR, is_staff=True))
    page.goto(f"{live_server.url}/ru/safety/")
    assert overlapping_quick_exit(page) == []
    exit_box = page.locator("#quick-exit").bounding_box()
    out_box = page.get_by_role("button", name="Выйти").bounding_box()
    assert out_box["y"] >= exit_box["y"] + exit_box["height"]  # below the strip, never under it


@pytest.fixture
def shymkent_centres(live_server, migration_data):
    """In Shymkent: the nearest one closed for now, an open one that takes mothers and children, and one in
    Taraz."""
    shymkent = Place.objects.named("Шымкент").get(country="KZ")
    taraz = Place.objects.named("Тараз").get(country="KZ")
    today = datetime.date.today()
    common = {"last_verified_on": today, "country": "KZ"}
    make_centre(name="Аа закрыт на ремонт", city=shymkent, status="temporarily_closed", **common)
    make_centre(
        name="Дом «Мейірім»",
        city=shymkent,
        open_24_7=True,
        accepts_children=True,
        boys_max_age=12,
        accepts_pregnant=True,
        phones=[("Горячая линия", "+7 725 200 0000", True)],
        **common,
    )
    make_centre(name="Центр в Таразе", city=taraz, phones=[("", "+7 726 200 0000", False)], **common)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["ru", "ky"])
@pytest.mark.parametrize("query", ["q=шымкент", "near=Шымкент"])
def test_after_a_search_the_first_card_is_on_the_first_screen(
    live_server, new_context, shymkent_centres, javascript, language, query
):
    page = new_context(java_script_enabled=javascript).new_page()  # 360 × 740
    page.goto(f"{live_server.url}/{language}/centres/?{query}")
    first = page.locator(".centre-card").first
    box = first.bounding_box()
    assert 0 <= box["y"] < 740 - 100, box  # its top, and the start of what it says, on the first screen
    text = first.inner_text()
    assert "Мейірім" in text  # open before closed, however near the closed one is
    assert first.locator("a[href^='tel:']").count() >= 1
    facts = first.locator(".admit").all_inner_texts()
    assert len(facts) == 2 and "12" in facts[0]  # mothers with children, boys up to 12; pregnant women
    assert first.locator(".open-hours").count() == 1
    names = page.locator(".centre-card h2").all_inner_texts()
    assert "закрыт" in names[-1]
    assert page.locator(".search-summary").is_visible()
    # "change" leads to the form, kept below the results
    page.locator(".search-summary a").click()
    assert page.locator("form.filters input[name=q]").is_visible()


def test_after_use_my_location_the_nearest_open_centre_is_on_the_first_screen(
    live_server, new_context, shymkent_centres
):
    context = new_context(geolocation={"latitude": 42.317, "longitude": 69.596}, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/ru/centres/")
    with page.expect_navigation(url="**lat=42.32&lon=69.60**"):
        page.get_by_role("button", name="Использовать моё местоположение").click()
    first = page.locator(".centre-card").first
    assert first.bounding_box()["y"] < 740 - 100
    assert "Мейірім" in first.inner_text()  # open first, though the closed one is as near
    assert page.locator(".search-summary").inner_text().startswith("рядом с вами")
