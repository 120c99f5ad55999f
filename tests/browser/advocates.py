"""What the advocates' browser tests share: signing in as the advocate their fixtures create, and the script that
finds any text of a drawing that extends past its SVG's box."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_code

PASSWORD = "a long test password 1"
OUTSIDE = """() => {
    const out = [];
    for (const svg of document.querySelectorAll('svg[role=img]')) {
        const box = svg.getBoundingClientRect();
        for (const text of svg.querySelectorAll('text')) {
            const r = text.getBoundingClientRect();
            const outside = r.left < box.left - 0.5 || r.right > box.right + 0.5
                || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
            if (outside) out.push(text.textContent);
        }
    }
    return out;
}"""


def signed_in_page(new_context, live_server, width: int, javascript: bool = True):
    viewport = {"width": width, "height": 900}
    page = new_context(viewport=viewport, locale="ru-RU", java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/ru/login/")
    page.fill("#id_username", "advocate-1")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/second-factor/" in page.url:  # when SECOND_FACTOR_FOR_ADVOCATES is on
        page.fill("#id_code", current_code(TOTPDevice.objects.get(user__username="advocate-1")))
        with page.expect_navigation():
            page.click("main button[type=submit]")
    assert "/login/" not in page.url
    return page
