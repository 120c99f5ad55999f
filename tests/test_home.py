"""The home page as it stands: hotlines first, no cookie for anonymous visitors."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_hotlines_with_kazakhstan_first_and_sets_no_cookie(client):
    response = client.get("/ru/")
    countries = [hotline.country for hotline in response.context["hotlines"]]
    assert countries[0] == "KZ"
    assert countries == sorted(countries, key=["KZ", "KG", "UZ", "TJ"].index)
    assert 'href="tel:111"' in response.content.decode()
    assert not response.cookies
