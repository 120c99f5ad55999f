"""A survivor's first visit on a slow or metered phone: the home page, with everything it loads, is light (issue 12).

Measured as Chromium received it from the live server with production settings: static files compressed by
WhiteNoise (gzip, as collectstatic wrote them), the page itself as the application sends it (uncompressed: a
reverse proxy may compress it further, which only makes it lighter)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 60 * 1024


@pytest.mark.parametrize("path", ["/ru/", "/ky/", "/ru/centres/?q=алматы"])
def test_a_first_visit_transfers_at_most_60_kb(live_server, new_context, centre, path):
    context = new_context()
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{live_server.url}{path}", wait_until="networkidle")
    sizes = {request.url: request.sizes() for request in finished}
    transferred = sum(size["responseBodySize"] + size["responseHeadersSize"] for size in sizes.values())
    assert any(url.endswith(".css") for url in sizes)  # the stylesheets were counted, not missed
    stylesheet = next(size for url, size in sizes.items() if "bootstrap" in url)
    assert stylesheet["responseBodySize"] < 40 * 1024  # served compressed (232 KB as written)
    assert transferred <= BUDGET_BYTES, {url: size["responseBodySize"] for url, size in sizes.items()}
