"""A survivor on a small phone finds a centre and leaves with quick exit (DESIGN.md section 6)."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_almaty(page, base_url: str) -> str:
    """From the Russian home page, search "алматы"; return the results' URL."""
    page.goto(f"{base_url}/ru/")
    page.fill("#home-q", "алматы")
    page.click(".search-box button[type=submit]")
    page.wait_for_url(re.compile(r"/ru/centres/\?"))
    assert re.search(r"\b1\b", page.locator(".result-count").inner_text())
    assert page.locator(".centre-card").count() == 1
    return page.url


def open_centre(page, centre) -> str:
    page.click(f"text={centre.name}")
    page.wait_for_url(f"**/ru/centres/{centre.slug}/")
    assert page.locator("h1").inner_text().startswith(centre.name)
    return page.url


def test_survivor_searches_opens_a_centre_and_quick_exit_replaces_the_page(
    live_server, new_context, centre, neutral_site
):
    page = new_context().new_page()
    results_url = search_almaty(page, live_server.url)
    centre_url = open_centre(page, centre)

    page.click("#quick-exit")
    page.wait_for_url(neutral_site)
    assert page.locator("h1").inner_text() == "Weather today"

    # location.replace took the centre page out of history: Back goes to the results, not to the centre.
    page.go_back()
    assert page.url != centre_url
    assert page.url == results_url


def test_shift_pressed_three_times_leaves_like_the_button(live_server, new_context, centre, neutral_site):
    page = new_context().new_page()
    page.goto(f"{live_server.url}/ru/")
    home_url = page.url
    page.goto(f"{live_server.url}/ru/centres/{centre.slug}/")
    centre_url = page.url

    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(neutral_site)

    page.go_back()
    assert page.url != centre_url
    assert page.url == home_url


def test_without_javascript_search_and_quick_exit_still_work(live_server, new_context, centre, neutral_site):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    search_almaty(page, live_server.url)
    open_centre(page, centre)

    with page.expect_response(re.compile(r"/exit/$")) as exit_response:
        page.click("#quick-exit")
    page.wait_for_url(neutral_site)
    assert exit_response.value.status == 302
    assert "storage" in exit_response.value.all_headers()["clear-site-data"]
    assert page.locator("h1").inner_text() == "Weather today"


def test_no_request_leaves_this_machine(live_server, new_context, centre):
    context = new_context()
    page = context.new_page()
    for path in ["/ru/", "/ru/centres/?q=алматы", f"/ru/centres/{centre.slug}/", "/ru/safety/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
        page.wait_for_load_state("networkidle")

    assert any(url.endswith(".css") for url in context.requests)  # the recording works
    assert any(url.endswith(".js") for url in context.requests)
    assert context.requests.leaving() == []
    assert context.broken == []


def test_typing_with_shift_in_a_form_never_leaves_the_page(live_server, new_context, centre, neutral_site):
    """ "+7 (727)" takes Shift three times within a second; only Shift pressed alone counts."""
    page = new_context().new_page()
    page.goto(f"{live_server.url}/ru/centres/{centre.slug}/correction/")
    field = page.locator("textarea[name=correct_value]")
    field.click()
    # As a keyboard types it: Shift held for "+", "(" and ")", each a Shift keydown of its own.
    for keys in ("Shift+Equal", "7", "Space", "Shift+Digit9", "7", "2", "7", "Shift+Digit0", "Space", "3"):
        page.keyboard.press(keys)
    page.wait_for_timeout(300)
    assert "/correction/" in page.url
    assert field.input_value() == "+7 (727) 3"
    for _ in range(3):
        page.keyboard.press("Shift")  # alone, three times: leaves, even from a form field
    page.wait_for_url(neutral_site)
