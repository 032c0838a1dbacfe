"""The Content-Security-Policy in a real Chromium: the pages of several roles load with no
console error and no CSP violation report, GOV.UK Frontend's JavaScript still runs (the
js-enabled classes from the static file, components initialised), and an injected inline
script is refused (what finding 2's stored XSS would have run)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Record every CSP violation the page reports (Playwright's init script is not subject to the CSP).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
});
"""

PAGES = {
    "qaro@example.org": ["/", "/worklist/mine", "/children/", "/escalations/mine", "/logout"],
    "lado_manager@example.org": ["/", "/lado/", "/lado/referrals", "/lado/oversight", "/kpis/"],
    "admin@example.org": ["/", "/admin/users", "/admin/users/new", "/admin/audit", "/admin/rules/"],
}


def _watch(page) -> list[str]:
    problems: list[str] = []

    def console(message):
        # errors, and the warnings Chromium gives for a header it does not understand
        if message.type == "error" or "Policy" in message.text:
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(WATCH_VIOLATIONS)
    return problems


@pytest.mark.parametrize("email", sorted(PAGES))
def test_pages_load_with_no_csp_violation_or_console_error(page, live_server, sign_in, email):
    problems = _watch(page)
    page.goto(live_server("/login"))
    assert page.evaluate("window.__cspViolations") == []
    sign_in(page, email)
    for path in PAGES[email]:
        page.goto(live_server(path))
        page.wait_for_load_state("networkidle")
        classes = page.evaluate("document.body.className")
        assert "js-enabled" in classes and "govuk-frontend-supported" in classes, path
        assert page.locator("[data-module='govuk-skip-link'][data-govuk-skip-link-init]").count() == 1, path
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], (path, violations)
    assert problems == []


def test_an_injected_inline_script_or_style_is_refused(page, live_server):
    problems = _watch(page)
    page.goto(live_server("/login"))
    page.evaluate(
        """() => {
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true';
        document.body.append(script);
        const holder = document.createElement('div');
        holder.innerHTML = '<img src="x" onerror="window.__injected = true">';
        document.body.append(holder);
        const style = document.createElement('style');
        style.textContent = 'body { background: rgb(255, 0, 0) }';
        document.head.append(style);
    }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    violations = page.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src") for v in violations), violations
    assert any("Content Security Policy" in p for p in problems), problems  # Chromium reports them
