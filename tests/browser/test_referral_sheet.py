"""A referrer prints a centre's page: one A4 page, with what the survivor needs and nothing of the site's
controls (issue 12)."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from centres.models import Centre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

pypdf = pytest.importorskip("pypdf")


def printed(page, url: str) -> list[str]:
    """Each page's text of `url` printed to A4 by Chromium."""
    page.goto(url)
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [" ".join(sheet.extract_text().split()) for sheet in reader.pages]


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_every_demo_centre_prints_on_one_a4_page_without_the_sites_controls(
    live_server, new_context, migration_data, language
):
    call_command("load_demo_data", force=True, verbosity=0)
    page = new_context().new_page()
    centres = Centre.objects.public().order_by("name")
    assert centres.count() >= 40
    with translation.override(language):
        controls = ("Quick exit", "Find help", "Back to the search", "Print a referral sheet")
        left_out = [gettext(text) for text in controls]
        kept = [gettext("Who is admitted"), gettext("Referral")]
    # Every one in Russian; in Kyrgyz, whose words run longer, every third (a minute of printing is enough).
    for centre in list(centres)[:: 1 if language == "ru" else 3]:
        sheets = printed(page, f"{live_server.url}/{language}/centres/{centre.slug}/")
        assert len(sheets) == 1, (centre.name, len(sheets))
        text = sheets[0]
        assert " ".join(centre.name.split()) in text
        assert f"/{language}/centres/{centre.slug}/" in text  # where it came from
        assert "111" in text or "1313" in text or "117" in text or "1146" in text  # the country's hotline
        for words in kept:
            assert words in text, (centre.name, words)
        for words in left_out:
            assert words not in text, (centre.name, words)


def test_the_print_link_works_without_javascript(live_server, new_context, centre):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/en/centres/{centre.slug}/")
    page.click("text=Print a referral sheet")
    page.wait_for_url("**?print=1")
    assert "Use your browser's Print command" in page.locator("[role=status]").inner_text()
