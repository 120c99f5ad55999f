"""`/sitemap.xml` and `/robots.txt` (centres/public/sitemaps.py, robots.py): every public page in every language for
search engines, nothing a public page hides, no draft; and crawlers kept out of everything that is not public."""

import datetime
import re
from decimal import Decimal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from centres.models import Centre, Place
from centres.public import sitemaps
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
SM, XHTML = f"{{{NS['sm']}}}", f"{{{NS['xhtml']}}}"
ALMATY = 1526384
# Distinctive enough that finding either in the XML can only mean a leak.
SECRET_POINT = (Decimal("43.301234"), Decimal("77.045678"))
CHANGED_AT = datetime.datetime(2026, 9, 14, 10, 30, tzinfo=datetime.UTC)


@pytest.fixture
def centres(db) -> dict[str, Centre]:
    """Centres the public sees (one at a hidden address with an exact point) and every kind it never does."""
    city = Place.objects.get(pk=ALMATY)
    found = {
        "public": make_centre(name="Центр «Открытый»", city=city),
        "hidden": make_centre(
            name="Убежище «Тайна»",
            city=city,
            address="ул. Секретная 7",
            address_visibility="hidden",
            latitude=SECRET_POINT[0],
            longitude=SECRET_POINT[1],
        ),
        "temporarily_closed": make_centre(name="Центр «На ремонте»", country="KG", status="temporarily_closed"),
        "draft": make_centre(name="Черновик «Никому»", published=False),
        "archived": make_centre(name="Дубликат «Архив»", archived=True),
        "closed": make_centre(name="Центр «Закрыт»", status="closed", closure_reason="Нет средств"),
    }
    Centre.objects.filter(pk=found["public"].pk).update(public_changed_at=CHANGED_AT)
    return found


def public_slugs(centres: dict[str, Centre]) -> set[str]:
    return {centres[name].slug for name in ("public", "hidden", "temporarily_closed")}


def hidden_slugs(centres: dict[str, Centre]) -> set[str]:
    return {centres[name].slug for name in ("draft", "archived", "closed")}


# -- reading the XML ---------------------------------------------------------------------------------------------


def get_xml(client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    assert not response.cookies, url
    return ElementTree.fromstring(response.content)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def section_urls(client) -> list[str]:
    """The sitemaps the index points at, as paths."""
    index = get_xml(client, "/sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    return [path_of(loc.text) for loc in index.findall("sm:sitemap/sm:loc", NS)]


def entries(client) -> dict[str, dict]:
    """Every address of every sitemap the index names: its lastmod and its alternates, by path."""
    found = {}
    for section in section_urls(client):
        urlset = get_xml(client, section)
        assert urlset.tag == f"{SM}urlset"
        for url in urlset.findall("sm:url", NS):
            location = path_of(url.find("sm:loc", NS).text)
            assert location not in found, f"{location} listed twice"
            lastmod = url.find("sm:lastmod", NS)
            found[location] = {
                "section": section,
                "lastmod": lastmod.text if lastmod is not None else None,
                "alternates": {
                    link.get("hreflang"): path_of(link.get("href")) for link in url.findall("xhtml:link", NS)
                },
                "children": [child.tag for child in url],
            }
    return found


def every_document(client) -> list[bytes]:
    return [client.get(url).content for url in ["/sitemap.xml", *section_urls(client)]]


def in_language(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


# -- the sitemap -------------------------------------------------------------------------------------------------


def test_the_sitemap_lists_every_public_centre_in_every_language_with_its_alternates(client, centres):
    listed = entries(client)
    for slug in public_slugs(centres):
        paths = {language: in_language(language, "centres:centre_detail", slug) for language in LANGUAGES}
        assert set(paths.values()) <= set(listed), slug
        for language, path in paths.items():
            entry = listed[path]
            assert entry["section"].startswith("/sitemap-centres.xml")
            # Each language's address names the others, itself included, and the address without a language.
            assert entry["alternates"] == {**paths, "x-default": f"/centres/{slug}/"}, path
            assert path == f"/{language}/centres/{slug}/"
    centre_paths = {path for path, entry in listed.items() if entry["section"].startswith("/sitemap-centres")}
    assert len(centre_paths) == len(public_slugs(centres)) * len(LANGUAGES)


def test_no_draft_archived_or_closed_centre_is_in_any_sitemap(client, centres):
    documents = b"".join(every_document(client)).decode()
    for slug in hidden_slugs(centres):
        assert slug not in documents
    for slug in public_slugs(centres):
        assert slug in documents  # the check above can find a slug


def test_a_centres_lastmod_is_when_its_public_fields_last_changed(client, centres):
    listed = entries(client)
    for language in LANGUAGES:
        assert listed[in_language(language, "centres:centre_detail", centres["public"].slug)]["lastmod"] == "2026-09-14"


def test_the_sitemap_says_nothing_but_locations_and_dates(client, centres):
    documents = every_document(client)
    text = b"".join(documents).decode()
    hidden = centres["hidden"]
    for value in (*SECRET_POINT, hidden.public_latitude, hidden.public_longitude):
        for spelling in {f"{value:.{places}f}" for places in (2, 3, 4, 5, 6)}:
            assert spelling not in text, spelling
    for secret in ("Секретная", hidden.name, centres["public"].name, "Алматы", "Almaty"):
        assert secret not in text
    for entry in entries(client).values():
        assert set(entry["children"]) <= {f"{SM}loc", f"{SM}lastmod", f"{XHTML}link"}, entry
    for document in documents:  # no names, no points: nothing but the elements of a sitemap or an index
        tags = {element.tag for element in ElementTree.fromstring(document).iter()}
        assert tags <= {f"{SM}{tag}" for tag in ("sitemapindex", "sitemap", "urlset", "url", "loc", "lastmod")} | {
            f"{XHTML}link"
        }


def test_the_pages_section_lists_home_safety_open_data_and_each_country_in_every_language(client, centres):
    listed = entries(client)
    pages = [("centres:home",), ("centres:safety",), ("centres:open_data",)]
    pages += [("centres:country", code) for code in ("kz", "kg", "uz", "tj")]
    for page in pages:
        paths = {language: in_language(language, *page) for language in LANGUAGES}
        for path in paths.values():
            assert listed[path]["section"] == "/sitemap-pages.xml"
            assert listed[path]["alternates"] == {**paths, "x-default": paths["ru"].removeprefix("/ru")}
    assert len([entry for entry in listed.values() if entry["section"] == "/sitemap-pages.xml"]) == len(pages) * 6


def test_every_address_in_the_sitemap_is_a_public_page(client, centres):
    for path, entry in entries(client).items():
        assert client.get(path).status_code == 200, path
        # The address without a language sends the visitor to hers.
        response = client.get(entry["alternates"]["x-default"], HTTP_ACCEPT_LANGUAGE="ky")
        assert response.status_code == 302 and response["Location"].startswith("/ky/"), entry


def test_an_unpublished_centre_leaves_the_sitemap_at_once(editor_client, centres, django_capture_on_commit_callbacks):
    client = Client()  # an anonymous visitor's, beside the editor's
    slug = centres["public"].slug
    assert slug in b"".join(every_document(client)).decode()
    with django_capture_on_commit_callbacks(execute=True):  # as when the editor's request commits
        response = editor_client.post(
            reverse("admin:centres_centre_changelist"),
            {"action": "unpublish", "_selected_action": [str(centres["public"].pk)]},
        )
    assert response.status_code == 302
    assert slug not in b"".join(every_document(client)).decode()


def test_an_unpublished_centre_leaves_the_sitemap_even_where_the_data_version_has_not_moved_yet(client, centres):
    """Another server with a cache of its own learns of the edit within a minute; its sitemap pages never list the
    centre meanwhile (what is kept is where pages start and how many there are, never the centres)."""
    slug = centres["hidden"].slug
    assert slug in b"".join(every_document(client)).decode()
    Centre.objects.filter(pk=centres["hidden"].pk).update(published=False)  # no signal, no new data version
    assert slug not in b"".join(every_document(client)).decode()


def test_the_centres_are_paged_and_every_page_is_in_the_index(client, centres, monkeypatch):
    for n in range(7):
        make_centre(name=f"Центр номер {n}")
    monkeypatch.setattr(sitemaps, "CENTRES_PER_PAGE", 4)  # 10 public centres: pages of 4, 4 and 2
    assert [url for url in section_urls(client) if url.startswith("/sitemap-centres")] == [
        "/sitemap-centres.xml",
        "/sitemap-centres.xml?p=2",
        "/sitemap-centres.xml?p=3",
    ]
    pages = [get_xml(client, f"/sitemap-centres.xml?p={page}").findall("sm:url", NS) for page in (1, 2, 3)]
    assert [len(urls) for urls in pages] == [4 * 6, 4 * 6, 2 * 6]
    slugs = [urlsplit(url.find("sm:loc", NS).text).path.split("/")[3] for urls in pages for url in urls]
    expected = sorted(Centre.objects.public().values_list("slug", flat=True))
    assert slugs == [slug for slug in expected for _language in LANGUAGES]  # by slug, each once, in six languages
    for beyond in ("4", "0", "x"):
        assert client.get("/sitemap-centres.xml", {"p": beyond}).status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_index_dates_the_centres_section_by_the_latest_public_change(client, centres):
    latest = Centre.objects.public().order_by("-public_changed_at").first().public_changed_at
    index = get_xml(client, "/sitemap.xml")
    dates = {
        path_of(item.find("sm:loc", NS).text): item.find("sm:lastmod", NS) for item in index.findall("sm:sitemap", NS)
    }
    assert datetime.datetime.fromisoformat(dates["/sitemap-centres.xml"].text) == latest
    assert dates["/sitemap-pages.xml"] is None


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-centres.xml", "/sitemap-centres.xml?p=2"])
def test_a_sitemap_reads_as_many_rows_for_10_centres_as_for_40(client, centres, monkeypatch, url):
    monkeypatch.setattr(sitemaps, "CENTRES_PER_PAGE", 5)

    def queries() -> list[str]:
        client.get(url)  # what is kept for the data version, kept
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    for n in range(7):
        make_centre(name=f"Центр номер {n}")
    few = queries()
    for n in range(30):
        make_centre(name=f"Ещё центр {n}")
    many = queries()
    assert len(few) == len(many) <= 1
    for sql in many:  # the two columns a sitemap says, and nothing a card reads
        assert "latitude" not in sql and "address" not in sql and "JOIN" not in sql
        assert "OFFSET" not in sql.upper()


def test_a_sitemap_is_the_same_in_whatever_language_the_browser_prefers(client, centres):
    first = client.get("/sitemap-centres.xml", HTTP_ACCEPT_LANGUAGE="kk").content
    assert client.get("/sitemap-centres.xml", HTTP_ACCEPT_LANGUAGE="en").content == first
    assert first.count(b"<url>") == len(public_slugs(centres)) * 6


def test_the_sitemap_and_robots_set_no_cookie_and_are_not_stored(client, centres):
    for url in ("/sitemap.xml", "/sitemap-pages.xml", "/sitemap-centres.xml", "/robots.txt"):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, url
        assert response["Cache-Control"] == "no-store"


# -- robots.txt --------------------------------------------------------------------------------------------------


def robots(client) -> tuple[list[str], list[str], str]:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not response.cookies
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")]
    sitemap = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert len(sitemap) == 1
    return lines, disallowed, sitemap[0]


def is_disallowed(rules: list[str], path: str) -> bool:
    """RFC 9309's matching: a rule matches a path (with its query) from its start, `*` standing for any characters
    and `$` for the end."""
    for rule in rules:
        pattern = ".*".join(re.escape(part) for part in rule.rstrip("$").split("*"))
        if re.match(pattern + ("$" if rule.endswith("$") else ""), path):
            return True
    return False


def private_urls(slug: str) -> list[str]:
    """Every address crawlers must keep out of, in one language (the active one)."""
    names = [
        "centres:centre_export_csv",
        "centres:centre_export_json",
        "centres:open_data_hsds",
        "centres:at_risk",
        "centres:at_risk_export_csv",
        "centres:at_risk_export_xlsx",
        "centres:at_risk_export_json",
        "centres:what_if",
        "centres:what_if_export_csv",
        "centres:what_if_export_xlsx",
        "centres:what_if_export_json",
        "centres:dashboard",
        "centres:coverage",
        "centres:staff",
        "centres:login",
        "centres:logout",
        "centres:second_factor",
        "centres:second_factor_enrol",
    ]
    urls = [reverse(name) for name in names]
    urls += [reverse(name, args=[slug]) for name in ("centres:correction", "centres:correction_thanks")]
    urls += [reverse("centres:dossier", args=[slug])]
    # Searches, the list's pages and a printed referral sheet.
    urls += [reverse("centres:centre_list") + query for query in ("?q=алматы", "?near=Алматы", "?page=2", "?")]
    urls += [reverse("centres:centre_detail", args=[slug]) + "?print"]
    return urls


def test_robots_keeps_crawlers_out_of_every_private_area_in_every_language(client, centres):
    _lines, disallowed, _sitemap = robots(client)
    slug = centres["public"].slug
    for language in LANGUAGES:
        with translation.override(language):
            for url in private_urls(slug):
                assert url.startswith(f"/{language}/")
                assert is_disallowed(disallowed, url), url
    for url in ("/admin/", "/admin/login/", "/admin/centres/centre/", "/api/", "/api/services", "/exit/"):
        assert is_disallowed(disallowed, url), url


def test_robots_lets_crawlers_read_every_page_in_the_sitemap(client, centres):
    _lines, disallowed, _sitemap = robots(client)
    for path in entries(client):
        assert not is_disallowed(disallowed, path), path
    for language in LANGUAGES:
        assert not is_disallowed(disallowed, in_language(language, "centres:centre_list"))  # the plain list
    assert not is_disallowed(disallowed, "/sitemap.xml")


def test_robots_names_each_language_from_the_url_conf(client):
    _lines, disallowed, _sitemap = robots(client)
    for language in LANGUAGES:
        assert f"/{language}/at-risk/" in disallowed
        assert f"/{language}/centres/*/correction/" in disallowed
        # Covered by /<language>/at-risk/: not written again.
        assert f"/{language}/at-risk/what-if/" not in disallowed
    assert len(disallowed) == len(set(disallowed))


def test_robots_disallows_every_route_but_the_public_pages(client):
    """A route added to the directory is kept from crawlers until it is named a public page."""
    from centres import urls

    public = {"home", "centre_list", "centre_detail", "country", "safety", "open_data"}
    _lines, disallowed, _sitemap = robots(client)
    for language in LANGUAGES:
        with translation.override(language):
            for route in urls.urlpatterns:
                arguments = {name: "some-value" for name in route.pattern.converters}
                path = reverse(f"centres:{route.name}", kwargs=arguments)
                assert is_disallowed(disallowed, path) == (route.name not in public), path


def test_robots_points_at_the_sitemap_at_the_address_it_was_asked_at(client):
    _lines, _disallowed, sitemap = robots(client)
    assert sitemap == "http://testserver/sitemap.xml"
    response = client.get("/robots.txt", secure=True, HTTP_HOST="localhost")
    assert response.content.decode().splitlines()[-1] == "Sitemap: https://localhost/sitemap.xml"


def test_robots_and_the_sitemap_answer_a_head_but_no_post(client):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-pages.xml"):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405


def test_the_lastmod_of_a_centre_follows_a_public_change(client, centres):
    centre = centres["public"]
    before = entries(client)[in_language("en", "centres:centre_detail", centre.slug)]["lastmod"]
    centre.name = "Центр «Открытый» (новое имя)"
    centre.save()
    after = entries(client)[in_language("en", "centres:centre_detail", centre.slug)]["lastmod"]
    assert before == "2026-09-14" and after == timezone.localdate().isoformat()
