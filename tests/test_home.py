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


@pytest.mark.parametrize(
    "language, first",
    [("ru", "KZ"), ("kk", "KZ"), ("ky", "KG"), ("uz", "UZ"), ("tg", "TJ"), ("en", "KZ")],
)
def test_the_hotlines_and_countries_start_with_the_country_of_the_pages_language(client, language, first):
    response = client.get(f"/{language}/")
    codes = [group["code"] for group in response.context["hotlines"]]
    assert codes[0] == first
    assert sorted(codes) == ["KG", "KZ", "TJ", "UZ"]
    assert [code for code in ["KZ", "KG", "UZ", "TJ"] if code != first] == codes[1:]  # the rest as before
    assert response.context["countries"][0][0] == first
    bar = [hotline.country for hotline in response.context["hotline_bar"]]
    assert bar[0] == first and len(bar) == 4


def test_near_a_town_the_hotline_bar_is_that_towns_countrys(client):
    response = client.get("/ru/centres/", {"near": "Бишкек"})
    assert {hotline.country for hotline in response.context["hotline_bar"]} == {"KG"}
