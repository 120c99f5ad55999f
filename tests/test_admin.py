"""The editor area, each feature through the admin's own views."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from centres.models import Centre, CentrePhone, Compliance, CountryRules, Operator, Place, today
from tests.conftest import change_url, count_queries, errors, form_data, make_centre, make_operator, make_user, sign_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/centres/centre/"
ALMATY, SHYMKENT, OSH = 1526384, 1518980, 1527534  # GeoNames ids of gazetteer towns


@pytest.fixture
def centre(almaty):
    return make_centre(
        city=almaty,
        operator=make_operator(),
        phones=[("Горячая линия", "150", True), ("Офис", "+7 727 000 0000", False)],
        compliance={"licence_status": "licensed", "premises_area_m2": 120},
    )


def test_editor_creates_a_centre_with_region_and_coordinates_from_the_city(editor_client, almaty):
    operator = make_operator()
    url = reverse("admin:centres_centre_add")
    data = form_data(editor_client, url)
    data.update(
        {
            "name": "Новый центр",
            "operator": operator.pk,
            "country": "KZ",
            "city": almaty.pk,
            "address_visibility": "hidden",
            "status": "active",
            "services": ["shelter"],
            "phones-0-number": "+7 700 000 0000",
            "phones-0-label": "Дежурный",
            "compliance-0-licence_status": "applied",
            "compliance-0-premises_tenure": "unknown",
            "compliance-0-funding_kind": "unknown",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    centre = Centre.objects.get(name="Новый центр")
    assert centre.region_id == "KZ-75"
    assert centre.latitude == almaty.latitude
    assert centre.slug == "novyi-tsentr"
    assert centre.phones.get().number == "+7 700 000 0000"
    assert centre.compliance.licence_status == "applied"
    assert centre.history.first().history_user.username == "editor"


def test_editor_edits_a_centre_and_history_records_who_and_what(editor_client, centre):
    data = form_data(editor_client, change_url(centre))
    data["name"] = "Переименованный центр"
    response = editor_client.post(change_url(centre), data)
    assert response.status_code == 302, errors(response)
    record = centre.history.first()
    assert record.name == "Переименованный центр"
    assert record.history_user.username == "editor"
    assert record.diff_against(record.prev_record).changed_fields == ["name"]
    history = editor_client.get(reverse("admin:centres_centre_history", args=[centre.pk]))
    assert "Переименованный центр" in history.content.decode()


@pytest.mark.parametrize("term", ["жан", "ЖАН", "Жан", "алматы", "АЛМАТЫ", "almaty", "алма-ата", "шанырақ", "ШАНЫРАК"])
def test_admin_search_folds_cyrillic_and_kazakh_letters_in_any_case(editor_client, centre, term):
    if "қ" in term:
        Operator.objects.filter(pk=centre.operator_id).update(name="Қоғамдық қор «Шанырақ»")
        centre.operator.refresh_from_db()
        centre.operator.save()
    response = editor_client.get(reverse("admin:centres_centre_changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [centre]


def test_admin_search_finds_nothing_for_another_name(editor_client, centre):
    response = editor_client.get(reverse("admin:centres_centre_changelist"), {"q": "Бишкек"})
    assert list(response.context["cl"].result_list) == []


def test_admin_filters_by_country_kind_status_licence_and_verification(editor_client, centre):
    other = make_centre(
        name="Центр в Бишкеке",
        country="KG",
        status="temporarily_closed",
        operator=make_operator(name="Госорган", kind="state"),
        compliance={"licence_status": "unknown"},
        last_verified_on=None,
    )
    changelist = reverse("admin:centres_centre_changelist")
    cases = [
        ({"country__exact": "KZ"}, [centre]),
        ({"operator__kind__exact": "state"}, [other]),
        ({"status__exact": "temporarily_closed"}, [other]),
        ({"compliance__licence_status__exact": "licensed"}, [centre]),
        ({"verified": "never"}, [other]),
    ]
    for params, expected in cases:
        assert list(editor_client.get(changelist, params).context["cl"].result_list) == expected, params


def test_mark_verified_today_action(editor_client, centre):
    centre.last_verified_on = datetime.date(2020, 1, 1)
    centre.save()
    editor_client.post(
        reverse("admin:centres_centre_changelist"),
        {"action": "mark_verified_today", "_selected_action": [str(centre.pk)]},
    )
    centre.refresh_from_db()
    assert centre.last_verified_on == datetime.date.today() or centre.last_verified_on > datetime.date(2020, 1, 1)
    assert centre.history.first().history_change_reason == "Marked verified"


def test_archive_replaces_delete_for_editors(editor_client, centre):
    changelist = reverse("admin:centres_centre_changelist")
    response = editor_client.post(changelist, {"action": "delete_selected", "_selected_action": [str(centre.pk)]})
    assert Centre.objects.filter(pk=centre.pk).exists()
    assert editor_client.get(reverse("admin:centres_centre_delete", args=[centre.pk])).status_code == 403
    editor_client.post(changelist, {"action": "archive", "_selected_action": [str(centre.pk)]})
    centre.refresh_from_db()
    assert centre.archived
    assert response.status_code in (200, 302)


def test_superuser_can_delete_for_good(client, centre):
    sign_in(client, User.objects.create_superuser("root", password="another long password"))
    response = client.post(reverse("admin:centres_centre_delete", args=[centre.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Centre.objects.filter(pk=centre.pk).exists()


def test_restore_brings_back_removed_phone_and_licence_status(editor_client, centre):
    before = centre.history.first()
    data = form_data(editor_client, change_url(centre))
    office = centre.phones.get(number="+7 727 000 0000")
    office_form = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(office.pk))
    data[office_form.replace("-id", "-DELETE")] = "on"
    data["compliance-0-licence_status"] = "suspended"
    data["services"] = ["hotline"]
    assert editor_client.post(change_url(centre), data).status_code == 302
    assert list(centre.phones.values_list("number", flat=True)) == ["150"]
    assert Compliance.objects.get(centre=centre).licence_status == "suspended"

    restore = reverse("admin:centres_centre_restore", args=[centre.pk, before.history_id])
    page = editor_client.get(restore)
    assert "+7 727 000 0000" in page.content.decode()
    centre.refresh_from_db()
    response = editor_client.post(restore, {"version": centre.version})
    assert response.status_code == 302
    centre.refresh_from_db()
    assert sorted(centre.phones.values_list("number", flat=True)) == ["+7 727 000 0000", "150"]
    assert centre.compliance.licence_status == "licensed"
    assert centre.services == ["shelter", "psychological"]
    assert centre.history.first().history_user.username == "editor"


def test_restore_is_refused_when_the_centre_changed_meanwhile(editor_client, centre):
    before = centre.history.first()
    seen_version = centre.version
    centre.name = "Someone else's edit"
    centre.save()
    restore = reverse("admin:centres_centre_restore", args=[centre.pk, before.history_id])
    editor_client.post(restore, {"version": seen_version}, follow=True)
    centre.refresh_from_db()
    assert centre.name == "Someone else's edit"


@pytest.mark.parametrize("version", ["", "x", "²", "-1"])
def test_restore_with_a_version_that_is_no_number_is_refused_as_stale(editor_client, centre, version):
    before = centre.history.first()
    centre.name = "Someone else's edit"
    centre.save()
    restore = reverse("admin:centres_centre_restore", args=[centre.pk, before.history_id])
    response = editor_client.post(restore, {"version": version}, follow=True)
    assert response.status_code == 200
    assert "while you were editing it. Your changes were not saved" in response.content.decode()
    centre.refresh_from_db()
    assert centre.name == "Someone else's edit"


def test_second_save_through_the_main_form_is_refused(editor_client, centre):
    first = form_data(editor_client, change_url(centre))
    second = dict(first)
    first["name"] = "First editor"
    assert editor_client.post(change_url(centre), first).status_code == 302
    second["hours_ru"] = "24 hours"
    response = editor_client.post(change_url(centre), second)
    assert response.status_code == 200
    assert "while you were editing" in response.content.decode()
    centre.refresh_from_db()
    assert (centre.name, centre.hours) == ("First editor", "")


def test_second_save_through_an_inline_is_refused(editor_client, centre):
    first = form_data(editor_client, change_url(centre))
    second = dict(first)
    first["name"] = "First editor"
    assert editor_client.post(change_url(centre), first).status_code == 302
    second["compliance-0-licence_status"] = "revoked"
    phone_number = next(k for k, v in second.items() if v == "150")
    second[phone_number] = "111"
    response = editor_client.post(change_url(centre), second)
    assert response.status_code == 200
    centre.refresh_from_db()
    assert centre.name == "First editor"
    assert centre.compliance.licence_status == "licensed"
    assert "111" not in centre.phones.values_list("number", flat=True)


def test_stale_write_through_an_action_is_refused(rf, editor, centre):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    queryset = Centre.objects.filter(pk=centre.pk)
    list(queryset)  # the action read the centre ...
    other = Centre.objects.get(pk=centre.pk)
    other.name = "Edited meanwhile"
    other.save()  # ... and someone saved it before the action wrote
    request = rf.post("/")
    request.user = editor
    request.session = {}
    request._messages = FallbackStorage(request)
    with translation.override("en"):
        site._registry[Centre].archive(request, queryset)
    centre.refresh_from_db()
    assert centre.name == "Edited meanwhile"
    assert not centre.archived
    assert any("meanwhile" in str(message) for message in request._messages)


def test_race_after_validation_is_refused_without_a_server_error(editor_client, centre, monkeypatch):
    from centres.admin import VersionedForm

    data = form_data(editor_client, change_url(centre))
    data["name"] = "Lost the race"
    original_clean = VersionedForm.clean

    def clean_then_someone_saves(form):
        cleaned = original_clean(form)
        other = Centre.objects.get(pk=centre.pk)
        other.hours = "Saved in between"
        other.save()
        return cleaned

    monkeypatch.setattr(VersionedForm, "clean", clean_then_someone_saves)
    response = editor_client.post(change_url(centre), data, follow=True)
    assert response.status_code == 200
    assert "while you were editing" in response.content.decode()
    centre.refresh_from_db()
    # In the test the other save shares the request's transaction, so it is rolled back with it; what matters is
    # that the stale form did not overwrite anything.
    assert centre.name == "Кризисный центр «Жан»"


def test_rules_changes_are_kept_in_history(editor_client):
    rules = CountryRules.objects.get(country="KZ")
    url = reverse("admin:centres_countryrules_change", args=[rules.pk])
    data = form_data(editor_client, url)
    data["min_premises_area_m2"] = "60"
    assert editor_client.post(url, data).status_code == 302
    assert rules.history.first().min_premises_area_m2 == 60
    assert rules.history.first().history_user.username == "editor"


def test_city_and_operator_autocomplete_fold_case(editor_client, centre, almaty):
    url = reverse("admin:autocomplete")
    params = {"app_label": "centres", "model_name": "centre", "field_name": "city", "term": "АЛМА-АТА"}
    results = editor_client.get(url, params).json()["results"]
    assert [r["id"] for r in results] == [str(almaty.pk)]
    params = {"app_label": "centres", "model_name": "centre", "field_name": "operator", "term": "ШАНЫРАК"}
    assert [r["id"] for r in editor_client.get(url, params).json()["results"]] == [str(centre.operator_id)]


def test_advocate_cannot_change_anything(client, centre):
    advocate = make_user("adv", "advocate", is_staff=True)
    sign_in(client, advocate)
    assert client.get(change_url(centre)).status_code == 200  # may look
    data = {"name": "Changed by advocate"}
    assert client.post(change_url(centre), data).status_code == 403
    assert client.get(reverse("admin:centres_centre_add")).status_code == 403
    assert client.get(reverse("admin:centres_countryrules_changelist")).status_code == 200
    centre.refresh_from_db()
    assert centre.name != "Changed by advocate"
    perms = {p.split(".")[1].split("_")[0] for p in advocate.get_all_permissions()}
    assert perms == {"view", "export"}  # export: the at-risk list


def test_phone_numbers_are_validated(editor_client, centre):
    data = form_data(editor_client, change_url(centre))
    number_field = next(k for k, v in data.items() if v == "150")
    data[number_field] = "call us"
    response = editor_client.post(change_url(centre), data)
    assert response.status_code == 200
    assert CentrePhone.objects.filter(number="150").exists()


# -- queries ------------------------------------------------------------------------------------------------------


def many_centres(count: int) -> None:
    """`count` more centres of every sort: in three towns (each with its region) or none, run by the state, a CSO or
    nobody known, with no phone, one or two; licensed, pending, revoked, unknown or with no compliance record at
    all; open, suspended or closed, some archived, some demo; verified lately, long ago or never."""
    towns = [Place.objects.get(pk=pk) for pk in (ALMATY, SHYMKENT, OSH)] + [None]
    on = today()
    start = Centre.objects.count()
    for n in range(start, start + count):
        town, kind, status = towns[n % 4], ["state", "cso", None][n % 3], n % 5 % 3
        centre = make_centre(
            name=f"Centre {n:02}",
            city=town,
            country=town.country if town else "KZ",
            operator=make_operator(name=f"Operator {n}", kind=kind) if kind else None,
            phones=[("Hotline", f"+7 700 000 00{n:02}", True), ("", "150", False)][: n % 3],
            status=["active", "temporarily_closed", "closed"][status],
            closure_reason="Ремонт" if status else "",
            archived=n % 7 == 6,
            is_demo=n % 11 == 10,
            last_verified_on=[on, None, on - datetime.timedelta(days=400), on, None][n % 5],
            compliance={
                "licence_status": ["licensed", "applied", "revoked", "unknown"][n % 4],
                "premises_area_m2": [Decimal("20"), None, Decimal("120")][n % 3],
            },
        )
        if n % 6 == 5:
            Compliance.objects.filter(centre=centre).delete()


# The session, the user, the user's and the groups' permissions; the count of matches and of every centre (for
# "N of M"), the group check of the editor's rights, the count of suggested corrections waiting, then the page's
# centres with their town, region, operator and compliance joined (list_select_related) and their own suggestions
# waiting counted in the same query; the session saved (a savepoint, the update, its release).
@pytest.mark.parametrize("params", [{}, {"q": "centre"}, {"country__exact": "KZ", "verified": "never"}])
def test_the_centre_changelist_makes_as_many_queries_for_3_or_30_centres(editor_client, params):
    many_centres(3)
    few = count_queries(editor_client, CHANGELIST, params)
    many_centres(27)
    many = count_queries(editor_client, CHANGELIST, params)
    shown = list(editor_client.get(CHANGELIST, params).context["cl"].result_list)
    assert len(shown) > 3
    assert {centre.operator_id is None for centre in shown} == {True, False}
    assert {centre.city_id is None for centre in shown} == {True, False}
    assert {hasattr(centre, "compliance") for centre in shown} == {True, False}
    assert few == many <= 11, many
    assert count_queries(editor_client, CHANGELIST, params, kept="nothing") == many  # nothing on this page is cached
