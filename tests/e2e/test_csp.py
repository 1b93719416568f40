"""The browser tests run with the app's real Content-Security-Policy (no bypass).

axe-core is loaded from the page's own origin (see conftest.AXE_PATH), so the CSP stays on,
and every ``tab.check`` fails when the CSP refused something. These tests prove both: a real
page passes with its header in force, and the same page with an inline script fails.
"""
import pytest
from playwright.sync_api import expect

from jobfair import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.e2e

INLINE = "<script>document.documentElement.dataset.inline = 'ran';</script>"


def test_pages_are_checked_under_their_real_csp(open_page):
    tab = open_page()
    response = tab.goto("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(tab.page.get_by_role("heading", name="Se connecter")).to_be_visible()
    tab.check("login")  # axe ran, the CSP refused nothing
    # htmx (served from the app's origin) runs under the CSP: it has set up the page.
    assert tab.page.evaluate("() => typeof window.htmx === 'object'")


def test_a_page_with_an_inline_script_fails_the_check(open_page):
    tab = open_page()

    def with_inline_script(route):
        response = route.fetch()  # the app's real answer, headers (CSP) included
        body = response.text().replace("</body>", INLINE + "</body>")
        route.fulfill(response=response, body=body)

    tab.page.route(tab.url("/login"), with_inline_script)
    with tab.page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        tab.goto("/login")
    assert tab.page.evaluate("() => document.documentElement.dataset.inline") is None
    with pytest.raises(pytest.fail.Exception, match="Content-Security-Policy refused"):
        tab.check("inline-script")
