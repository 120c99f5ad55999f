"""Drafts: a new centre is on no public surface until an editor publishes it; publishing is an edit with history."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from centres import imports
from centres.models import Centre
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

DRAFT_NAME = "Черновик Убежище Тестовое"


@pytest.fixture
def draft(almaty):
    published = make_centre(name="Опубликованный центр", city=almaty, beds=5, beds_free=2, address_visibility="public")
    draft = make_centre(name=DRAFT_NAME, city=almaty, published=False, beds=5, beds_free=2, address_visibility="public")
    return draft, published


def public_urls(draft: Centre) -> list[str]:
    urls = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            urls += [
                reverse("centres:home"),
                reverse("centres:centre_list"),
                reverse("centres:centre_list") + "?q=Черновик",
                reverse("centres:centre_list") + "?near=Алматы",
                reverse("centres:centre_list") + "?lat=43.25&lon=76.95",
                reverse("centres:centre_list") + "?beds_free=on",
                reverse("centres:country", args=["kz"]),
                reverse("centres:centre_export_csv"),
                reverse("centres:centre_export_json") + "?q=Черновик",
            ]
    return urls


def test_a_new_centre_is_a_draft():
    assert Centre._meta.get_field("published").default is False


def test_a_draft_is_on_no_public_page_export_or_search(client, draft):
    draft, published = draft
    for url in public_urls(draft):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert DRAFT_NAME.encode() not in body and draft.slug.encode() not in body, url
    assert client.get(reverse("centres:centre_detail", args=[draft.slug])).status_code == 404
    assert published.name.encode() in client.get(reverse("centres:centre_list")).content


def test_an_editor_publishes_a_checked_draft_and_unpublishes_it_with_history(editor_client, draft):
    draft = draft[0]
    changelist = reverse("admin:centres_centre_changelist")
    response = editor_client.post(changelist, {"action": "publish", "_selected_action": [str(draft.pk)]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published
    assert editor_client.get(reverse("centres:centre_detail", args=[draft.slug])).status_code == 200
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [str(draft.pk)]})
    draft.refresh_from_db()
    assert not draft.published
    reasons = list(draft.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Unpublished", "Published"]


def test_an_import_creates_drafts_unless_the_file_says_published(almaty):
    data = "name,country,city,published\nНовый из файла,KZ,Алматы,\nГотовый из файла,KZ,Алматы,да\n".encode()
    plan = imports.validate(data, filename="new.csv")
    assert plan.writable, [str(error) for error in plan.errors]
    imports.write(plan)
    assert Centre.objects.get(name="Новый из файла").published is False
    assert Centre.objects.get(name="Готовый из файла").published is True
