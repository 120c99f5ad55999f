"""A centre's dossier for advocates (centres/advocacy/dossier.py): its flags and gaps, its licensing record over
time from history, its sources, and nothing of a hidden address."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from centres.advocacy.dossier import licensing_changes
from centres.models import Compliance
from tests.conftest import make_centre, make_user, sign_in

RECENT = datetime.date.today() - datetime.timedelta(days=5)


@pytest.fixture
def shelter(thresholds):
    centre = make_centre(
        name="Убежище «Тайна»",
        services=["shelter"],
        beds=10,
        address="ул. Потайная, 7",
        address_visibility="hidden",
        last_verified_on=RECENT,
        source="Позвонили в центр 01.11.2026",
        compliance={"licence_status": "applied", "premises_area_m2": Decimal("80")},
    )
    compliance = Compliance.objects.get(centre=centre)
    compliance.premises_area_m2 = Decimal("42.5")
    compliance.save()
    compliance.licence_status, compliance.licence_number = "licensed", "KZ-0001"
    compliance.save()
    return centre


def dossier_page(client, centre, language="en"):
    sign_in(client, make_user("advocate-1", "advocate"))
    response = client.get(f"/{language}/at-risk/{centre.slug}/dossier/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_licensing_record_over_time_is_read_from_history(shelter):
    with translation.override("en"):
        changes = [(change.what, change.old, change.new) for change in licensing_changes(shelter)]
    assert changes == [
        ("Licence status", "—", "Applied, awaiting decision"),
        ("Premises area (m²)", "—", "80"),
        ("Premises area (m²)", "80", "42.5"),
        ("Licence status", "Applied, awaiting decision", "Licensed"),
        ("Licence number", "—", "KZ-0001"),
    ]


def test_the_dossier_says_what_to_quote_and_never_where_a_hidden_shelter_is(client, shelter):
    html = dossier_page(client, shelter)
    assert "Premises 42.5 m² is below the minimum of 60 m²." in html  # today's flag, with its sentence
    assert "Licence, premises and funding over time" in html and "KZ-0001" in html
    assert "Позвонили в центр 01.11.2026" in html and "Social Code of the Republic of Kazakhstan" in html
    assert "Потайная" not in html and "The address is not public." in html


def test_the_dossier_writes_numbers_and_dates_in_the_pages_language(client, shelter):
    html = dossier_page(client, shelter, "ru")
    assert "42,5" in html and "Площадь помещения 42,5 м²" in html


def test_only_advocates_and_editors_open_it_and_only_for_judged_centres(client, shelter):
    url = f"/en/at-risk/{shelter.slug}/dossier/"
    assert client.get(url).status_code == 302  # to the login page
    sign_in(client, make_user("nobody"))
    assert client.get(url).status_code == 403
    draft = make_centre(name="Черновик", published=False)
    sign_in(client, make_user("advocate-2", "advocate"))
    assert client.get(f"/en/at-risk/{draft.slug}/dossier/").status_code == 404


def test_the_at_risk_list_links_each_centre_to_its_dossier(client, shelter):
    sign_in(client, make_user("advocate-1", "advocate"))
    assert f'href="/en/at-risk/{shelter.slug}/dossier/"' in client.get("/en/at-risk/").content.decode()
