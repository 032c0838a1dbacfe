"""Access control over every route: anonymous visitors are sent to sign in, each role gets
403 exactly when it lacks the view's capabilities, and every form POST needs a CSRF token.

The sweep reads ``app.url_map``, so a route added by any feature is covered automatically,
and a view without ``require``/``require_login`` fails ``test_every_view_declares_its_capabilities``.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tracker.core import permissions
from tracker.core.permissions import ROLE_CODES

EXCLUDED = {"static", "govuk_assets"}
PUBLIC = {"auth.login"}  # the only page an anonymous visitor may use…
# …besides the consultation form, opened by a personal link (no account): a wrong link, as the
# sweep's dummy token is, gets the neutral page (404) whoever asks, and no session is read
PERSONAL_LINK = {"consult.start", "consult.question", "consult.check"}


def swept_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXCLUDED]


def build_url(app, rule) -> str:
    """The rule's URL with dummy values for its parameters (a 404 for those is fine)."""
    values = {}
    for name in rule.arguments:
        if name in (rule.defaults or {}):
            continue
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):  # one of its words (a move's up or down)
            values[name] = sorted(converter.items)[0]
        else:
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
        if rule.endpoint in PERSONAL_LINK:
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "personal_link", False) and rule.rule.startswith("/consult/"), rule.endpoint
            assert not hasattr(view, "required_capabilities"), rule.endpoint
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
        if rule.endpoint in PERSONAL_LINK:
            if response.status_code != 404:  # the dummy token is a wrong link: the neutral page
                problems.append((url, response.status_code, "expected the neutral page"))
            continue
        if response.status_code != 302 or not response.location.startswith("/login"):
            problems.append((url, response.status_code, response.location))
    assert not problems
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("role", ROLE_CODES)
def test_each_role_gets_403_exactly_where_it_lacks_the_capability(app, client, login_as, role):
    user = login_as(role)
    problems = []
    for rule in swept_rules(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC | PERSONAL_LINK:
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
def test_core_pages(client_request, login_as, url, role, status):
    if role:
        login_as(role)
    page = client_request.get(url, status=status)
    if status == 302:
        assert page.response.location.startswith("/login")
    if status == 403:
        assert page.h1 == "You do not have access to this page"


# --- the home page -------------------------------------------------------------------------


def test_qaro_home_page_is_the_worklist(client_request, login_as):
    login_as("qaro", name="Quinn Qaro")
    page = client_request.get("/")
    assert page.h1 == "Quinn Qaro My children and worklist"  # the user's name, then the worklist
    assert "Due for you" in page.texts("h2")
    assert not [href for href in page.hrefs("body") if href.startswith("/admin/")]  # nothing the role cannot open


def test_admin_home_links_to_administration(client_request, login_as):
    login_as("admin")
    links = client_request.get("/").links()
    assert {
        label: links.get(label) for label in ("Users and roles", "Audit log", "Timescale rules and closure days")
    } == {
        "Users and roles": "/admin/users",
        "Audit log": "/admin/audit",
        "Timescale rules and closure days": "/admin/rules/",
    }


@pytest.mark.parametrize(
    "role, links, absent",
    [
        # every page the role can open is linked, nothing else
        (
            "analyst",  # figures, and the whole authority's SSDA903 download (no names): no child's page
            {
                "Indicators": "/kpis/",
                "Download this year's reviews in the SSDA903 layout": "/children/export/903-reviews.csv",
                "SSDA903 checks": "/children/903-checks",
            },
            ["/lado/", "/children/C", "/children/all", "/children/team", "/children/new", "/admin/", "/worklist/"],
        ),
        (
            "lado",
            {
                "LADO contacts log": "/lado/",
                "Log a contact": "/lado/contacts/new",
                "Open referrals": "/lado/referrals",
                "Actions tracker": "/lado/actions",
                "Find a person or organisation": "/lado/search",
                "Your full worklist": "/worklist/mine",
            },
            ["/lado/oversight", "/kpis/", "/children/", "/escalations/"],
        ),
        (
            "lado_manager",
            {"Indicators": "/kpis/", "Everyone's worklists": "/worklist/"},
            ["/children/", "/escalations/"],
        ),
        (
            "manager",
            {"Indicators": "/kpis/", "Everyone's worklists": "/worklist/", "Escalations": "/escalations/"},
            ["/lado/", "/admin/"],
        ),
        (
            "panel_admin",
            {"Panel meetings": "/panels/", "Book a year of meetings": "/panels/meetings/book-year"},
            ["/lado/", "/children/", "/escalations/", "/kpis/", "/admin/"],
        ),
        (
            "adm",
            {"ADM queue: decisions due": "/panels/adm", "Your full worklist": "/worklist/mine"},
            ["/panels/meetings/", "/panels/cases/new", "/lado/", "/children/", "/kpis/"],
        ),
    ],
)
def test_home_page_links_to_what_each_role_can_do(client_request, login_as, role, links, absent):
    login_as(role)
    page = client_request.get("/")
    shown = page.links()
    assert {label: shown.get(label) for label in links} == links
    assert [href for href in page.hrefs("body") if href.startswith(tuple(absent))] == []


def test_lado_manager_home_links_to_oversight_and_retention(client_request, login_as):
    login_as("lado_manager")
    hrefs = client_request.get("/").hrefs()
    assert "/lado/oversight" in hrefs and "/lado/retention" in hrefs


def test_a_board_members_home_page_links_to_the_boards_pages(client_request, login_as):
    """A board member reads the board's figures only: the scorecard and the annual report tables,
    nothing that lists records, and nothing an administrator configures."""
    login_as("board")
    page = client_request.get("/")
    assert "Your account has no roles yet" not in page.text
    assert "for your role yet" not in page.text
    assert "Corporate Parenting Board" in page.texts("h3")
    assert sorted({h for h in page.hrefs("body") if h.startswith("/board")}) == [
        "/board/",
        "/board/annual/iro",
        "/board/annual/lado",
        "/board/annual/panel",
    ]
    assert "/kpis/" not in page.hrefs("body")


@pytest.mark.parametrize("role,links", [("panel_admin", 4), ("adm", 3), ("manager", 3)])
def test_the_panel_roles_home_page_links_to_the_foster_carers_pages(client_request, login_as, role, links):
    login_as(role)
    page = client_request.get("/")
    found = {text: href for text, href in page.links().items() if href.startswith("/panels/")}
    assert found["Foster households"] == "/panels/households"
    assert (
        len([h for h in found.values() if h.startswith(("/panels/households", "/panels/returns", "/panels/temp"))])
        == links
    )


def test_home_page_of_a_user_without_roles(client_request, login_as):
    login_as()
    page = client_request.get("/")
    assert page.h1 == "Test user Your home page"
    assert "Your account has no roles yet. Ask your system administrator to give you the roles you need." in page.text
    assert page.links() == {}


def test_home_page_does_not_repeat_the_worklist_heading(client_request, login_as):
    login_as("lado_manager")
    headings = client_request.get("/").texts("h1, h2, h3")
    assert [h for h in headings if "My worklist" in h] == ["Test user My worklist"]
    assert "Due for you" in headings


def _internal_links(page) -> list[str]:
    return sorted({href for href in page.hrefs("body") if href.startswith("/")})


def _opens(client_request, href: str) -> None:
    """The link leads to a page (through any redirect), not to a refusal or the sign-in page."""
    page = client_request.get(href, follow=True)
    assert page.response.request.path != "/login", f"{href} sends the user to sign in"


@pytest.mark.parametrize("role", ROLE_CODES)
def test_every_link_on_the_home_page_opens_for_that_role(client_request, login_as, role):
    login_as(role)
    links = _internal_links(client_request.get("/"))
    assert links, "the home page links to nothing"
    for href in links:
        _opens(client_request, href)  # 200, never a 403


@pytest.mark.parametrize("app_config", [{"TODAY": "2026-11-23"}])  # after every date in the data
def test_every_link_on_a_home_page_with_a_worklist_opens(app, client_request, small_authority):
    """A QARO of the small authority (signed in with a password): the preview of their due
    items links to each item's record page, which opens too."""
    from tracker.auth.models import user_by_email
    from tracker.extensions import db

    with app.app_context():
        user_by_email("q3@example.org").set_password("correct horse battery staple")
        db.session.commit()
    client_request.post("/login", {"email": "q3@example.org", "password": "correct horse battery staple"})
    page = client_request.get("/")
    assert len(page.table()) == 10  # the first ten of Officer 3's items
    links = _internal_links(page)
    assert [href for href in links if href.startswith("/children/C")], links
    for href in links:
        _opens(client_request, href)


def _holders(*capabilities: str) -> set:
    """The roles holding any of the capabilities (every role when there are none: sign-in only)."""
    if not capabilities:
        return set(permissions.Role)
    return {role for capability in capabilities for role in permissions.CAPABILITIES[capability]}


def _takes_no_arguments(app, endpoint: str) -> bool:
    return any(not (rule.arguments - set(rule.defaults or {})) for rule in app.url_map.iter_rules(endpoint))


def test_every_home_area_link_is_a_page_without_arguments(app):
    from tracker.web.navigation import HOME_AREAS

    assert HOME_AREAS, "no feature registered a home area"
    problems = []
    for area in HOME_AREAS:
        for label, endpoint, capability in area.links:
            if endpoint not in app.view_functions:
                problems.append((area.title, label, endpoint, "no such endpoint"))
                continue
            if not _takes_no_arguments(app, endpoint):
                problems.append((area.title, label, endpoint, "needs URL arguments"))
            required = app.view_functions[endpoint].required_capabilities
            shown_with = (capability,) if isinstance(capability, str) else capability
            if not _holders(*shown_with) <= _holders(*required):
                problems.append((area.title, label, endpoint, f"shown with {capability}, opens with {required}"))
    assert problems == []


def test_every_navigation_item_is_a_page_without_arguments(app):
    from tracker.web.navigation import NAV

    problems = []
    for item in NAV:
        if item.endpoint not in app.view_functions:
            problems.append((item.label, item.endpoint, "no such endpoint"))
            continue
        if not _takes_no_arguments(app, item.endpoint):
            problems.append((item.label, item.endpoint, "needs URL arguments"))
        required = app.view_functions[item.endpoint].required_capabilities
        if not _holders(*item.capabilities) <= _holders(*required):
            problems.append((item.label, item.endpoint, f"shown with {item.capabilities}, opens with {required}"))
    assert problems == []


def test_post_without_csrf_token_is_rejected_everywhere(app, client, login_as):
    login_as(*ROLE_CODES)
    post_rules = [r for r in swept_rules(app) if "POST" in r.methods]
    assert post_rules, "expected some form posts"
    problems = []
    for rule in post_rules:
        url = build_url(app, rule)
        response = client.post(url, data={"anything": "x"})
        if rule.endpoint in PERSONAL_LINK:  # no session token: the link's own key (the access matrix)
            if response.status_code != 404:
                problems.append((url, response.status_code))
            continue
        if response.status_code != 400:
            problems.append((url, response.status_code))
    assert not problems
