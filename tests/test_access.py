"""Access control over every route: anonymous visitors are sent to sign in, each role gets
403 exactly when it lacks the view's capabilities, and every form POST needs a CSRF token.

The sweep reads ``app.url_map``, so a route added by any feature is covered automatically,
and a view without ``require``/``require_login`` fails ``test_every_view_declares_its_capabilities``.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from tracker.core import permissions
from tracker.core.permissions import ROLE_CODES

EXCLUDED = {"static", "govuk_assets"}
PUBLIC = {"auth.login"}  # the only page an anonymous visitor may use


def swept_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXCLUDED]


def build_url(app, rule) -> str:
    """The rule's URL with dummy values for its parameters (a 404 for those is fine)."""
    values = {}
    for name in rule.arguments:
        if name in (rule.defaults or {}):
            continue
        converter = rule._converters.get(name)
        values[name] = 999999 if isinstance(converter, IntegerConverter) else "dummy"
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
    except Exception:  # a converter that refuses "dummy" (e.g. any(...)): try a number
        return adapter.build(rule.endpoint, dict.fromkeys(values, 1))


def test_every_view_declares_its_capabilities(app):
    missing = []
    for rule in swept_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_capabilities"):
            missing.append(rule.endpoint)
        else:
            for capability in view.required_capabilities:
                assert capability in permissions.CAPABILITIES, (rule.endpoint, capability)
    assert not missing, f"views without require()/require_login: {missing}"


def test_anonymous_is_sent_to_sign_in_everywhere(app, client):
    problems = []
    for rule in swept_rules(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        url = build_url(app, rule)
        response = client.get(url)
        if response.status_code != 302 or not response.location.startswith("/login"):
            problems.append((url, response.status_code, response.location))
    assert not problems
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("role", ROLE_CODES)
def test_each_role_gets_403_exactly_where_it_lacks_the_capability(app, client, login_as, role):
    user = login_as(role)
    problems = []
    for rule in swept_rules(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        capabilities = getattr(app.view_functions[rule.endpoint], "required_capabilities", None)
        if capabilities is None:
            problems.append((rule.endpoint, "view has no require()/require_login"))
            continue
        allowed = not capabilities or permissions.can_any(user, *capabilities)
        url = build_url(app, rule)
        status = client.get(url).status_code
        if status >= 500 or (status == 403) == allowed:
            problems.append((url, status, "allowed" if allowed else "forbidden"))
    assert not problems, f"{role}: {problems}"


# Pages whose status for each visitor is part of the contract (None = anonymous).
CORE_PAGES = [
    ("/", None, 302),
    ("/", "qaro", 200),
    ("/", "board", 200),
    ("/", "admin", 200),
    ("/login", None, 200),
    ("/logout", None, 302),
    ("/logout", "qaro", 200),
    ("/admin/users", None, 302),
    ("/admin/users", "qaro", 403),
    ("/admin/users", "manager", 403),
    ("/admin/users", "admin", 200),
    ("/admin/users/new", "admin", 200),
    ("/admin/users/new", "analyst", 403),
    ("/admin/audit", "admin", 200),
    ("/admin/audit", "board", 403),
    ("/admin/audit", "lado_manager", 403),
]


@pytest.mark.parametrize("url,role,status", CORE_PAGES)
def test_core_pages(client, login_as, url, role, status):
    if role:
        login_as(role)
    assert client.get(url).status_code == status


def test_qaro_home_page_is_the_worklist(client, login_as):
    login_as("qaro")
    html = client.get("/").get_data(as_text=True)
    assert "My children" in html or "My worklist" in html
    assert "Qaro" in html  # the user's name
    assert "/admin/users" not in html  # no link to what the role cannot open


def test_admin_home_links_to_administration(client, login_as):
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in html and 'href="/admin/audit"' in html


@pytest.mark.parametrize(
    "role, links, absent",
    [
        # every page the role can open is linked; features that exist are never "coming later"
        ("analyst", ['href="/kpis/"'], ["/lado/", "/children/", "/admin/"]),
        (
            "lado",
            [
                'href="/lado/"',
                'href="/lado/contacts/new"',
                'href="/lado/referrals"',
                'href="/lado/actions"',
                'href="/lado/search"',
            ],
            ["/lado/oversight", "/kpis/", "/children/"],
        ),
        (
            "lado_manager",
            ['href="/lado/oversight"', 'href="/lado/retention"', 'href="/kpis/"', 'href="/worklist/"'],
            ["/children/"],
        ),
        ("manager", ['href="/kpis/"', 'href="/worklist/"', 'href="/escalations/"'], ["/lado/"]),
    ],
)
def test_home_page_links_to_what_each_role_can_do(client, login_as, role, links, absent):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    assert [link for link in links if link not in html] == []
    assert [path for path in absent if f'href="{path}' in html] == []
    # areas with pages are never "coming later"; only panels (not delivered yet) may be
    assert html.count(">Coming in a later release<") == (1 if role == "manager" else 0)
    if role == "manager":
        assert "Fostering and adoption panels" in html
    if role in ("analyst", "lado_manager", "manager"):
        assert "Coming in a later release: Board pack." in html  # the one page still to come


def test_home_page_of_a_board_member_says_the_board_pack_is_coming(client, login_as):
    login_as("board")
    html = client.get("/").get_data(as_text=True)
    assert "Coming in a later release" in html and 'href="/kpis/"' not in html


def test_home_page_does_not_repeat_the_worklist_heading(client, login_as):
    login_as("lado_manager")
    html = client.get("/").get_data(as_text=True)
    assert html.count(">My worklist<") + html.count("My worklist\n</h1>") <= 1 and "Due for you" in html


def test_post_without_csrf_token_is_rejected_everywhere(app, client, login_as):
    login_as(*ROLE_CODES)
    post_rules = [r for r in swept_rules(app) if "POST" in r.methods]
    assert post_rules, "expected some form posts"
    problems = []
    for rule in post_rules:
        url = build_url(app, rule)
        response = client.post(url, data={"anything": "x"})
        if response.status_code != 400:
            problems.append((url, response.status_code))
    assert not problems
