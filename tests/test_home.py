"""The home page: hotlines first, Kazakhstan first, no cookie for anonymous visitors."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_hotlines_with_kazakhstan_first_and_sets_no_cookie(client):
    response = client.get("/ru/")
    countries = [str(group["country"]) for group in response.context["hotlines"]]
    assert countries == ["Казахстан", "Кыргызстан", "Узбекистан", "Таджикистан"]
    html = response.content.decode()
    assert 'href="tel:111"' in html
    assert html.index('href="tel:111"') < html.index('name="q"')  # hotlines before the search box
    assert not response.cookies
