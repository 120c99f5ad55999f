"""The editor area's import page: upload, preview, confirm — and nothing written that the preview did not show."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centres.models import Centre, PendingImport
from tests.conftest import csv_of, make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db

IMPORT = "/admin/centres/centre/import/"


def upload(client, text: str, name: str = "centres.csv", **extra):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8")), **extra}
    return client.post(IMPORT, data)


def confirm(client, preview, *overwrite: int):
    page = preview.content.decode()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    return client.post(
        IMPORT, {"pending": pending, "fingerprint": fingerprint, "overwrite": [str(row) for row in overwrite]}
    )


def test_the_centre_list_links_to_the_import_page(editor_client):
    assert IMPORT in editor_client.get(reverse("admin:centres_centre_changelist")).content.decode()
    assert "Upload a CSV or XLSX file" in editor_client.get(IMPORT).content.decode()


def test_a_file_is_previewed_then_written_exactly_as_shown_with_the_file_in_the_history(editor_client, editor, almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty, hours="9–18")
    text = csv_of(Centre.objects.all()).replace("9–18", "Круглосуточно")
    preview = upload(editor_client, text, "kz-december.csv")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "0 created, 1 changed, 0 unchanged." in page
    assert "«9–18» → «Круглосуточно»" in page
    centre.refresh_from_db()
    assert centre.hours == "9–18"  # nothing written by the preview

    response = confirm(editor_client, preview)

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.hours == "Круглосуточно"
    latest = centre.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "import kz-december.csv")
    assert not PendingImport.objects.exists()


def test_errors_are_shown_by_row_and_column_and_nothing_can_be_confirmed(editor_client, almaty):
    text = "name,country,beds\nЦентр,KZ,many\nДругой,XX,2\n"
    page = upload(editor_client, text).content.decode()
    assert "The file has 2 errors" in page
    assert re.search(r'<tr class="import-error"><td>2</td><td><code>beds</code></td><td>&#x27;many&#x27; is not', page)
    assert re.search(r'<tr class="import-error"><td>3</td><td><code>country</code></td>', page)
    assert 'name="fingerprint"' not in page
    assert not Centre.objects.exists()


def test_a_row_that_would_undo_an_edit_is_written_only_when_ticked(editor_client, almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty, hours="9–18")
    old_export = csv_of(Centre.objects.all())
    centre.hours = "Круглосуточно"
    centre.save()  # edited since the export
    preview = upload(editor_client, old_export.replace("Центр «Жан»", "Центр «Жан» (переименован)"))
    page = preview.content.decode()
    assert 'name="overwrite" value="2"' in page
    assert "after the file was exported (version 1 in the file, 2 now)" in page

    untouched = confirm(editor_client, preview)
    assert "Tick each row to overwrite" in untouched.content.decode()
    centre.refresh_from_db()
    assert centre.name == "Центр «Жан»"

    assert confirm(editor_client, preview, 2).status_code == 302
    centre.refresh_from_db()
    assert (centre.name, centre.hours) == ("Центр «Жан» (переименован)", "9–18")  # as the editor chose


def test_a_centre_changed_between_preview_and_confirmation_stops_the_write(editor_client, almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty, hours="9–18")
    preview = upload(editor_client, csv_of(Centre.objects.all()).replace("9–18", "10–19"))
    centre.public_notes = "Изменено, пока редактор смотрел"
    centre.save()

    response = confirm(editor_client, preview)

    assert response.status_code == 200
    assert "The directory changed since the preview was made, so nothing was written" in response.content.decode()
    centre.refresh_from_db()
    assert centre.hours == "9–18"


def test_only_the_uploader_can_confirm_her_file(client, editor_client, almaty):
    make_centre(name="Центр «Жан»", city=almaty)
    preview = upload(editor_client, "name,country\nНовый центр,KZ\n")
    other = make_user("other-editor", "editor", is_staff=True)
    sign_in(client, other)
    assert confirm(client, preview).status_code == 404
    assert not Centre.objects.filter(name="Новый центр").exists()


def test_people_who_cannot_add_centres_cannot_import(client, almaty):
    sign_in(client, make_user("advocate", "advocate", is_staff=True))
    assert client.get(IMPORT).status_code == 403
    sign_in(client, make_user("visitor"))
    assert client.get(IMPORT).status_code == 302  # to the admin's login


def test_row_numbers_that_are_no_numbers_are_left_out_of_the_overwrite(editor_client, almaty):
    centre = make_centre(city=almaty)
    preview = upload(editor_client, f"id,name\n{centre.pk},Другое имя\n")  # no version: row 2 is a conflict
    page = preview.content.decode()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    response = editor_client.post(IMPORT, {"pending": pending, "fingerprint": fingerprint, "overwrite": ["²", "2x"]})
    assert response.status_code == 200  # the preview again: nothing chosen to overwrite, nothing written
    centre.refresh_from_db()
    assert centre.name != "Другое имя"
