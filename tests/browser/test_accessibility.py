"""axe-core finds no serious or critical WCAG problem on the survival path, in Russian and Kyrgyz.

axe-core is vendored in tests/browser/vendor (MPL-2.0, licence beside it) and injected into a context that
bypasses our strict CSP: only this context, only in tests.
"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
BLOCKING = {"serious", "critical"}


def describe(path: str, violation: dict) -> str:
    targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
    return f"{path}: {violation['impact']} {violation['id']} — {violation['help']} — {targets}"


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_survival_path_has_no_serious_accessibility_violation(live_server, new_context, centre, language):
    context = new_context(bypass_csp=True)
    page = context.new_page()
    problems = []
    for path in ["/", "/centres/?q=алматы", f"/centres/{centre.slug}/", "/safety/"]:
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.ok, path
        page.add_script_tag(path=AXE)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems += [describe(path, v) for v in results["violations"] if v["impact"] in BLOCKING]
    assert context.broken == []
    assert problems == [], "\n".join(problems)
