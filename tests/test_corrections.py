"""Report a correction (centres/public/corrections.py): anyone may tell us a centre's page is wrong without leaving a
trace, a bot or a flood stores nothing, nothing public changes, and only editors read the queue."""

import datetime
import logging
import re
import sys

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from centres.errors import PrivateExceptionReporter
from centres.models import Centre, Correction
from centres.public import corrections
from centres.roles import ADVOCATE, CENTRE_STAFF, EDITOR
from centres.vocabularies import CorrectionTopic
from tests.conftest import count_queries, make_centre, make_user, sign_in
from tests.test_safety import csp_directives, scan

pytestmark = pytest.mark.django_db

RIGHT_NUMBER = "+7 727 000 0099"
CONTACT = "my-own-number 8 700 000 0000"
QUEUE = reverse("admin:centres_correction_changelist")
CENTRES = reverse("admin:centres_centre_changelist")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def visitor() -> Client:
    """An anonymous visitor's browser, whose forms are checked for CSRF as a real one's (Django's test client
    skips the check unless asked)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def centre(almaty) -> Centre:
    return make_centre(
        name="Кризисный центр «Жан»",
        city=almaty,
        address="ул. Секретная 7",
        address_visibility="hidden",
        phones=[("Горячая линия", "+7 727 000 0001", True)],
    )


def form_url(centre: Centre, language: str = "en") -> str:
    return f"/{language}/centres/{centre.slug}/correction/"


def thanks_url(centre: Centre, language: str = "en") -> str:
    return f"/{language}/centres/{centre.slug}/correction/thanks/"


def token_of(html: str) -> str:
    return re.search(r'<input type="hidden" name="token" value="([^"]+)">', html).group(1)


def opened(client, centre: Centre, language: str = "en") -> str:
    """The token of the form as the page gives it."""
    response = client.get(form_url(centre, language))
    assert response.status_code == 200
    return token_of(response.content.decode())


def sent(client, centre: Centre, language: str = "en", token: str | None = None, **fields):
    """The form posted as a browser would, with the token of a page just opened unless `token` is given."""
    data = {"what": "phone", "correct_value": RIGHT_NUMBER, "contact": "", "website": ""}
    data["token"] = opened(client, centre, language) if token is None else token
    data.update(fields)
    return client.post(form_url(centre, language), data)


def no_cookie(response) -> bool:
    return not response.cookies and "Set-Cookie" not in response.headers


# -- no trace ------------------------------------------------------------------------------------------------------


def test_the_form_sets_no_cookie_and_carries_its_own_token_instead_of_csrfs(visitor, centre):
    response = visitor.get(form_url(centre))
    html = response.content.decode()
    assert response.status_code == 200 and no_cookie(response)
    assert "csrfmiddlewaretoken" not in html
    assert corrections.token_is_valid(token_of(html), centre)
    assert "Кризисный центр «Жан»" in html
    assert 'href="tel:' in html.split("<main")[0]  # the hotline bar


def test_a_correction_sent_is_queued_and_thanked_with_no_cookie_anywhere(visitor, centre):
    response = sent(visitor, centre, contact=CONTACT)
    assert response.status_code == 302 and response["Location"] == thanks_url(centre)
    assert no_cookie(response)
    thanks = visitor.get(response["Location"])
    assert thanks.status_code == 200 and no_cookie(thanks)
    assert "Thank you" in thanks.content.decode()
    assert not visitor.cookies
    stored = Correction.objects.get()
    assert (stored.centre, stored.what, stored.correct_value, stored.contact, stored.status) == (
        centre,
        CorrectionTopic.PHONE,
        RIGHT_NUMBER,
        CONTACT,
        Correction.Status.NEW,
    )


@override_settings(
    MIDDLEWARE=[name for name in settings.MIDDLEWARE if name != "centres.middleware.PublicPrivacyMiddleware"]
)
def test_the_pages_set_no_cookie_of_their_own_even_without_the_middleware_that_strips_them(centre):
    """The public pages' middleware drops any cookie meant for an anonymous visitor; these pages must not need it.
    (A CSRF token, or Django's messages, would set one.)"""
    client = Client(enforce_csrf_checks=True)
    responses = [
        client.get(form_url(centre)),
        sent(client, centre),
        sent(client, centre, correct_value=""),
        sent(client, centre, token="forged"),
        client.get(thanks_url(centre)),
    ]
    assert [response.status_code for response in responses] == [200, 302, 400, 400, 200]
    for response in responses:
        assert no_cookie(response), response.request["PATH_INFO"]
    assert not client.cookies


def test_what_was_typed_is_not_logged(visitor, centre, caplog):
    logger = logging.getLogger("centres.requests")
    logger.addHandler(caplog.handler)  # the logger does not propagate to the root, where caplog listens
    caplog.set_level(logging.DEBUG)
    try:
        sent(visitor, centre, contact=CONTACT)
        sent(visitor, centre, correct_value="x" * 1001, contact=CONTACT)
    finally:
        logger.removeHandler(caplog.handler)
    requests = [(r.method, r.path, r.status) for r in caplog.records if r.name == "centres.requests"]
    assert ("POST", form_url(centre), 302) in requests
    assert RIGHT_NUMBER not in caplog.text and CONTACT not in caplog.text


def test_error_reports_leave_out_what_was_typed(centre, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Correction, "save", broken)
    for report in failed_sending_reports(centre, RIGHT_NUMBER, CONTACT):
        assert "the database went away" in report
        assert RIGHT_NUMBER not in report and CONTACT not in report


def failed_sending_reports(centre: Centre, correct_value: str, contact: str) -> tuple[str, str]:
    """The error report, as text and as HTML, of sending a correction that fails while it is stored."""
    data = {"what": "phone", "correct_value": correct_value, "contact": contact}
    request = RequestFactory().post(form_url(centre), {**data, "token": corrections.issue_token(centre)})
    try:
        corrections.correction_form(request, slug=centre.slug)
    except RuntimeError:
        reporter = PrivateExceptionReporter(request, *sys.exc_info())
    else:
        raise AssertionError("sending did not fail")
    return reporter.get_traceback_text(), reporter.get_traceback_html()


# Far from the test below: a report shows the source lines around each frame's line, the test's own included.
SEVERAL_LINES = "Новый номер:\r\n+7 727 300 11 22\tзвоните после 9"


def test_error_reports_leave_out_text_of_several_lines_failing_in_the_database(centre, monkeypatch):
    """A textarea sends "\r\n"; the INSERT's parameters hold it repr-escaped, which the typed text alone would
    not match."""
    from django.db.backends import utils

    written = utils.CursorWrapper._execute

    def failing(self, sql, params, *args):
        if sql.startswith('INSERT INTO "centres_correction"'):
            raise RuntimeError("the database went away")
        return written(self, sql, params, *args)

    monkeypatch.setattr(utils.CursorWrapper, "_execute", failing)
    for report in failed_sending_reports(centre, SEVERAL_LINES, ""):
        assert "the database went away" in report
        for piece in re.split(r"[\r\n\t]+", SEVERAL_LINES):  # not spelt out here: this line is in the report
            assert piece not in report


# -- the token -------------------------------------------------------------------------------------------------


def test_a_form_is_good_for_two_hours(visitor, centre):
    with time_machine.travel(START, tick=False) as clock:
        token = opened(visitor, centre)
        clock.shift(datetime.timedelta(hours=2) - datetime.timedelta(seconds=1))
        assert sent(visitor, centre, token=token).status_code == 302
    assert Correction.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_expired_form_is_shown_again_with_what_was_typed_and_a_fresh_token(visitor, centre, language):
    with time_machine.travel(START, tick=False) as clock:
        token = opened(visitor, centre, language)
        clock.shift(datetime.timedelta(hours=2, seconds=1))
        response = sent(visitor, centre, language, token=token, what="hours", contact=CONTACT)
        html = response.content.decode()
        assert response.status_code == 400 and no_cookie(response)
        with translation.override(language):
            assert str(corrections.EXPIRED) in html
        assert f'lang="{language}"' in html
        assert RIGHT_NUMBER in html and CONTACT in html
        assert re.search(r'<input[^>]*value="hours"[^>]*checked', html)
        fresh = token_of(html)
        assert fresh != token and corrections.token_is_valid(fresh, centre)
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda centre, other: "",
        lambda centre, other: "not-a-token",
        lambda centre, other: signing.dumps(str(centre.pk)),  # signed, but without the form's salt
        lambda centre, other: signing.dumps(str(centre.pk), salt="centres.other"),
        lambda centre, other: corrections.issue_token(other),  # another centre's form
        lambda centre, other: corrections.issue_token(centre)[:-2] + "xx",  # the signature changed
    ],
    ids=["missing", "garbage", "unsalted", "other-salt", "other-centre", "tampered"],
)
def test_a_forged_token_is_refused_and_nothing_stored(visitor, centre, almaty, forge):
    other = make_centre(name="Другой центр", city=almaty)
    response = sent(visitor, centre, token=forge(centre, other))
    assert response.status_code == 400 and no_cookie(response)
    with translation.override("en"):
        assert str(corrections.EXPIRED) in response.content.decode()
    assert not Correction.objects.exists()


# -- bots and floods -------------------------------------------------------------------------------------------


def test_the_honeypot_is_out_of_sight_and_out_of_reach(visitor, centre):
    html = visitor.get(form_url(centre)).content.decode()
    hidden = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    field = re.search(r"<input[^>]*>", hidden).group(0)
    assert 'name="website"' in field and 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert 'style="' not in html  # the strict CSP: hidden by a class, never an inline style


@pytest.mark.parametrize("token", [None, "forged"], ids=["good-token", "forged-token"])
def test_a_filled_honeypot_is_thanked_like_anyone_and_stores_nothing(visitor, centre, token):
    response = sent(visitor, centre, token=token, website="spam.example")
    assert response.status_code == 302 and response["Location"] == thanks_url(centre)
    assert no_cookie(response)
    assert not Correction.objects.exists()


def test_sending_too_many_is_refused_keeping_what_was_typed_and_stores_no_more(visitor, centre, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "correction": "2/h"}
    assert sent(visitor, centre, correct_value="").status_code == 400  # a mistake is not counted
    assert [sent(visitor, centre).status_code for _ in range(2)] == [302, 302]
    with translation.override("en"):
        refused = sent(visitor, centre, correct_value="+7 727 999 00 11")
    assert refused.status_code == 429 and no_cookie(refused)
    assert refused["Retry-After"] == "3600"
    html = refused.content.decode()
    assert "please send it again in 60 minutes" in html
    assert "+7 727 999 00 11" in html  # what was typed is still in the form
    assert 'href="tel:' in html  # the hotlines are still there
    assert Correction.objects.count() == 2
    assert visitor.get(form_url(centre)).status_code == 200  # opening the form is not counted


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://elsewhere.example"}],
    ids=["sec-fetch-site", "origin"],
)
def test_a_form_posted_from_another_site_is_refused_and_stores_nothing(visitor, centre, headers):
    token = opened(visitor, centre)
    data = {"what": "phone", "correct_value": RIGHT_NUMBER, "contact": "", "token": token}
    refused = visitor.post(form_url(centre), data, **headers)
    assert refused.status_code == 403 and no_cookie(refused)
    assert RIGHT_NUMBER in refused.content.decode()  # kept in the form
    assert not Correction.objects.exists()
    same_site = visitor.post(form_url(centre), data, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert same_site.status_code == 302 and Correction.objects.count() == 1


def test_an_editor_may_delete_a_suggestion(editor_client, centre):
    suggestion = Correction.objects.create(centre=centre, what="phone", correct_value="+7 727 000 11 22")
    url = reverse("admin:centres_correction_delete", args=[suggestion.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Correction.objects.exists()


# -- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"correct_value": ""}, "Write what is correct."),
        ({"correct_value": "   "}, "Write what is correct."),
        ({"correct_value": "1" * 1001}, "Ensure this value has at most 1000 characters (it has 1001)."),
        ({"contact": "1" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"what": ""}, "Choose what is wrong."),
        ({"what": "password"}, "Select a valid choice. password is not one of the available choices."),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(visitor, centre, fields, message):
    response = sent(visitor, centre, **fields)
    html = response.content.decode()
    assert response.status_code == 400 and no_cookie(response)
    assert message in html
    assert corrections.token_is_valid(token_of(html), centre)
    assert not Correction.objects.exists()


# -- public centres only ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"published": False},
        {"status": "closed", "closure_reason": "Closed in 2025"},
        {"archived": True},
    ],
    ids=["draft", "closed", "archived"],
)
def test_a_centre_the_public_cannot_see_cannot_be_reported(visitor, almaty, state):
    hidden = make_centre(name="Not public", city=almaty, **state)
    data = {"what": "phone", "correct_value": RIGHT_NUMBER, "token": corrections.issue_token(hidden)}
    assert visitor.get(form_url(hidden)).status_code == 404
    assert visitor.post(form_url(hidden), data).status_code == 404
    assert visitor.get(thanks_url(hidden)).status_code == 404
    assert not Correction.objects.exists()


def test_a_temporarily_closed_centre_can_be_reported(visitor, almaty):
    paused = make_centre(name="Paused", city=almaty, status="temporarily_closed")
    assert sent(visitor, paused, what="closed_or_moved", correct_value="Open again since Monday").status_code == 302
    assert Correction.objects.get().centre == paused


# -- nothing public changes ------------------------------------------------------------------------------------


def public_view(client, centre: Centre) -> dict:
    """What the public reads of the centre, made afresh (no page kept from before)."""
    for each in caches.all():
        each.clear()
    return {
        "page": client.get(f"/en/centres/{centre.slug}/").content.decode(),
        "list": client.get("/en/centres/").content.decode(),
        "export": client.get("/en/centres/export.csv").getvalue().decode(),
        "row": Centre.objects.filter(pk=centre.pk).values().get(),
        "phones": list(centre.phones.values("label", "number")),
    }


def test_a_suggestion_changes_nothing_public(visitor, centre, django_capture_on_commit_callbacks):
    before = public_view(visitor, centre)
    assert "+7 727 000 0001" in before["page"]
    with django_capture_on_commit_callbacks(execute=True):
        assert sent(visitor, centre, correct_value=RIGHT_NUMBER).status_code == 302
    assert Correction.objects.exists()
    after = public_view(visitor, centre)
    assert after == before
    assert RIGHT_NUMBER not in after["page"]


# -- the editors' queue ----------------------------------------------------------------------------------------


@pytest.fixture
def suggestion(visitor, centre) -> Correction:
    assert sent(visitor, centre, contact=CONTACT).status_code == 302
    return Correction.objects.get()


def test_editors_see_the_queue_with_the_contact_and_a_link_to_the_centre(editor_client, suggestion, centre):
    html = editor_client.get(QUEUE).content.decode()
    assert RIGHT_NUMBER in html and CONTACT in html
    assert f'href="{reverse("admin:centres_centre_change", args=[centre.pk])}"' in html
    assert "phone number" in html  # what is wrong, as the queue names it


def test_the_queue_filters_by_status(editor_client, suggestion, centre):
    Correction.objects.create(centre=centre, what="hours", correct_value="9-18", status="dismissed")
    shown = {
        status: [c.correct_value for c in editor_client.get(QUEUE, {"status__exact": status}).context["cl"].result_list]
        for status in ("new", "accepted", "dismissed")
    }
    assert shown == {"new": [RIGHT_NUMBER], "accepted": [], "dismissed": ["9-18"]}


@pytest.mark.parametrize(("action", "status"), [("mark_accepted", "accepted"), ("mark_dismissed", "dismissed")])
def test_an_editor_accepts_or_dismisses_a_suggestion_and_is_recorded_as_deciding(
    editor_client, editor, suggestion, action, status
):
    response = editor_client.post(QUEUE, {"action": action, "_selected_action": [suggestion.pk]}, follow=True)
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (status, editor)
    assert timezone.now() - suggestion.decided_at < datetime.timedelta(minutes=1)
    assert f"Marked 1 suggestion {status}." in [str(message) for message in response.context["messages"]]


def test_an_editor_decides_on_the_suggestions_page_too(editor_client, editor, suggestion):
    url = reverse("admin:centres_correction_change", args=[suggestion.pk])
    response = editor_client.post(url, {"status": "accepted"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by, suggestion.correct_value) == ("accepted", editor, RIGHT_NUMBER)
    assert editor_client.get(reverse("admin:centres_correction_add")).status_code == 403  # the public's alone


@pytest.mark.parametrize("role", [CENTRE_STAFF, ADVOCATE])
def test_centre_staff_and_advocates_never_see_the_queue(client, centre, suggestion, role):
    user = make_user(f"{role}-login", role, is_staff=True)
    if role == CENTRE_STAFF:
        user.staff_assignments.create(centre=centre)
    sign_in(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("admin:centres_correction_change", args=[suggestion.pk])).status_code == 403
    assert client.post(QUEUE, {"action": "mark_dismissed", "_selected_action": [suggestion.pk]}).status_code == 403
    centres = client.get(CENTRES)
    assert centres.status_code == 200 and centre.name in centres.content.decode()  # they do see the centre...
    for page in (centres, client.get(reverse("admin:index"))):
        html = page.content.decode()
        assert QUEUE not in html and CONTACT not in html and "suggestions waiting" not in html  # ...and nothing else
    suggestion.refresh_from_db()
    assert suggestion.status == "new"


def test_the_editors_centre_list_shows_how_many_suggestions_wait_for_each_centre(editor_client, centre, almaty):
    quiet = make_centre(name="Тихий центр", city=almaty)
    for status in ("new", "new", "accepted"):
        Correction.objects.create(centre=centre, what="phone", correct_value="x", status=status)
    shown = {c.name: c.corrections_waiting for c in editor_client.get(CENTRES).context["cl"].result_list}
    assert shown == {centre.name: 2, quiet.name: 0}
    html = editor_client.get(CENTRES).content.decode()
    link = f"{QUEUE}?centre={centre.pk}&amp;status__exact=new"
    assert f'<a href="{link}">2</a>' in html
    assert "2 suggested corrections waiting" in html
    only_theirs = editor_client.get(link.replace("&amp;", "&")).context["cl"].result_list
    assert [c.centre_id for c in only_theirs] == [centre.pk, centre.pk]


def test_the_count_of_suggestions_waiting_costs_no_query_per_centre(editor_client, almaty):
    def add_centres(count: int) -> None:
        for n in range(count):
            centre = make_centre(name=f"Centre {Centre.objects.count()}", city=almaty)
            Correction.objects.create(centre=centre, what="phone", correct_value=str(n))

    add_centres(3)
    few = count_queries(editor_client, CENTRES)
    add_centres(27)
    assert count_queries(editor_client, CENTRES) == few


def test_only_editors_are_granted_the_queue():
    from centres.roles import GRANTS

    queue = {"view_correction", "change_correction", "delete_correction"}
    holders = {role for role, codenames in GRANTS.items() if queue & set(codenames)}
    assert holders == {EDITOR}
    assert "add_correction" not in GRANTS[EDITOR]  # suggestions come from the public form alone


def test_a_form_sent_back_with_errors_is_as_safe_a_page_as_any_public_one(visitor, centre):
    response = sent(visitor, centre, correct_value="")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert csp_directives(response)["style-src"] == ["'self'"] == csp_directives(response)["script-src"]
    page = scan(response)
    assert page.focusable[0][1]["href"] == "/exit/"
    assert not page.styled and all(field.get("autocomplete") == "off" for field in page.text_inputs)
