"""The access matrix: every route × every role (and an anonymous visitor) × a record that
belongs to someone else → the status that visitor must get.

The table below is written by hand on purpose, from the README's Security section, and is
independent of ``tracker.core.permissions``: a capability quietly widened there, an object-level
check removed from a view, or a route added without an entry here fails this test
(``test_every_route_has_an_entry``). Exports, drill-downs and the audit log's value columns are
rows of the table like any page.

Each signed-in visitor is a user holding exactly one role and no officer id, so nothing in the
small authority is theirs: every child is allocated to, every review chaired by and every
escalation raised by one of the authority's own officers. A POST carries a CSRF token and no
other data: a visitor who may use the form gets it back with its errors (or the action's
redirect), one who may not gets 403 with nothing written.

The audit log's value columns have their own table (``AUDIT_VALUES``): which families' summaries
and before/after values each viewer reads, on the administrators' log and the LADO manager's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tracker.core.permissions import ROLE_CODES

CLOSURE_DAY = dt.date.today() + dt.timedelta(days=60)  # within the accepted range (today + 2 years)
SKIPPED = {"static", "govuk_assets"}  # files, not pages
ANONYMOUS = "anonymous"
EVERYONE = frozenset(ROLE_CODES)
PUBLIC = frozenset({*ROLE_CODES, ANONYMOUS})  # the consultation form: a personal link, no account
NOBODY = frozenset()
CHILDREN_READ = frozenset({"qaro", "iro_manager", "manager"})
# the reviews area's pages: business support (review_admin) finds the child to consult about
REVIEWS_AREA = CHILDREN_READ | {"review_admin"}
CONSULT_READ = REVIEWS_AREA
CONSULT_WRITE = frozenset({"qaro", "iro_manager", "review_admin"})
CONSULT_ALL = frozenset({"iro_manager", "review_admin"})  # the rounds of others' children
CHILDREN_WRITE = frozenset({"qaro", "iro_manager"})
LADO = frozenset({"lado", "lado_manager"})
LADO_MANAGER = frozenset({"lado_manager"})
ADMIN = frozenset({"admin"})
IRO_MANAGER = frozenset({"iro_manager"})
WORKLIST_OWN = CHILDREN_WRITE | LADO | {"panel_admin", "adm"}
WORKLIST_ALL = frozenset({"iro_manager", "manager", "lado_manager"})
KPIS = frozenset({"analyst", "manager", "iro_manager", "lado_manager", "admin"})
# Drill-downs list records: the drill-down roles that may also read the indicator's family.
DRILL_CHILDREN = frozenset({"iro_manager", "manager", "qaro"})
DRILL_LADO = frozenset({"lado_manager", "lado"})
PANELS_READ = frozenset({"panel_admin", "adm", "manager"})
PANELS_EDIT = frozenset({"panel_admin"})
PANELS_DECIDE = frozenset({"adm"})
BOARD = KPIS | {"board"}  # the board's pages: aggregates, suppressed for board members
BOARD_COMMENTARY = frozenset({"manager", "iro_manager", "lado_manager"})


@dataclass(frozen=True)
class Case:
    """One request and who may make it (every other signed-in role gets 403)."""

    url: str
    allowed: frozenset
    why: str = ""
    signs_out: bool = False  # the allowed answer is the sign-in page (signing out)


def case(url: str, allowed, why: str = "", *, signs_out: bool = False) -> Case:
    return Case(url, frozenset(allowed), why, signs_out)


# (rule, method) -> the cases that exercise it. References are filled from SAMPLES.
MATRIX: dict[tuple[str, str], list[Case]] = {
    # --- signing in and out, home -----------------------------------------------------------------
    ("/login", "GET"): [case("/login", NOBODY, "public: a signed-in user is sent home (302)")],
    ("/login", "POST"): [case("/login", NOBODY, "public")],
    ("/logout", "GET"): [case("/logout", EVERYONE)],
    ("/logout", "POST"): [case("/logout", EVERYONE, signs_out=True)],
    ("/", "GET"): [case("/", EVERYONE)],
    ("/account/password", "GET"): [case("/account/password", EVERYONE, "users change their own password")],
    ("/account/password", "POST"): [case("/account/password", EVERYONE)],
    ("/account/notifications", "GET"): [case("/account/notifications", EVERYONE, "users set their own digest")],
    ("/account/notifications", "POST"): [case("/account/notifications", EVERYONE)],
    # --- scheduled jobs and notification settings (no case records) -------------------------------
    ("/admin/jobs", "GET"): [case("/admin/jobs", ADMIN), case("/admin/jobs?job=digest&page=2", ADMIN)],
    ("/admin/notifications", "GET"): [case("/admin/notifications", ADMIN)],
    ("/admin/users/<int:user_id>/notifications", "GET"): [case("/admin/users/{target_user}/notifications", ADMIN)],
    ("/admin/users/<int:user_id>/notifications", "POST"): [case("/admin/users/{target_user}/notifications", ADMIN)],
    # --- administration (no case records) ---------------------------------------------------------
    ("/admin/users", "GET"): [case("/admin/users", ADMIN)],
    ("/admin/users", "POST"): [case("/admin/users", ADMIN)],
    ("/admin/users/new", "GET"): [case("/admin/users/new", ADMIN)],
    ("/admin/users/new", "POST"): [case("/admin/users/new", ADMIN)],
    ("/admin/users/<int:user_id>", "GET"): [case("/admin/users/{target_user}", ADMIN)],
    ("/admin/users/<int:user_id>/roles", "POST"): [case("/admin/users/{target_user}/roles", ADMIN)],
    ("/admin/users/<int:user_id>/edit", "GET"): [case("/admin/users/{target_user}/edit", ADMIN)],
    ("/admin/users/<int:user_id>/edit", "POST"): [case("/admin/users/{target_user}/edit", ADMIN)],
    ("/admin/users/<int:user_id>/password", "POST"): [
        case("/admin/users/{target_user}/password", ADMIN, "a reset: the temporary password is shown once")
    ],
    ("/admin/users/<int:user_id>/unlock", "POST"): [case("/admin/users/{target_user}/unlock", ADMIN)],
    ("/admin/users/<int:user_id>/disable", "POST"): [case("/admin/users/{target_user}/disable", ADMIN)],
    ("/admin/users/<int:user_id>/enable", "POST"): [case("/admin/users/{target_user}/enable", ADMIN)],
    ("/admin/audit", "GET"): [
        case("/admin/audit", ADMIN, "who, when, what, which record: never case values to a plain admin"),
        case("/admin/audit?object_type=lado_contact", ADMIN, "LADO values for LADO roles only"),
        case("/admin/audit?object_type=child", ADMIN, "child values for roles that read children"),
    ],
    ("/admin/rules/", "GET"): [case("/admin/rules/", ADMIN)],
    ("/admin/rules/<name>", "GET"): [case("/admin/rules/cic_review_first", ADMIN)],
    ("/admin/rules/<name>", "POST"): [case("/admin/rules/cic_review_first", ADMIN)],
    ("/admin/rules/closures/new", "GET"): [case("/admin/rules/closures/new", ADMIN)],
    ("/admin/rules/closures/new", "POST"): [case("/admin/rules/closures/new", ADMIN)],
    ("/admin/rules/closures/<day>/remove", "POST"): [case("/admin/rules/closures/{closure_day}/remove", ADMIN)],
    # --- figures: aggregates, drill-downs (record lists) ------------------------------------------
    ("/kpis/", "GET"): [
        case("/kpis/", KPIS, "aggregates; not board members (board pack only)"),
        case("/kpis/?format=xlsx", KPIS, "the period's figures downloaded: as the page"),
    ],
    ("/kpis/monthly", "GET"): [
        case("/kpis/monthly", KPIS, "aggregates month by month; not board members (board pack only)"),
        case("/kpis/monthly?format=xlsx", KPIS, "the months downloaded: as the page"),
    ],
    ("/kpis/<indicator_id>/<part>", "GET"): [
        case("/kpis/reviews.held/numerator", DRILL_CHILDREN, "children's records: drill-down roles reading children"),
        case("/kpis/lado.iem_in_timescale/numerator", DRILL_LADO, "LADO records: LADO roles only"),
    ],
    ("/worklist/", "GET"): [case("/worklist/", WORKLIST_ALL)],
    ("/worklist/mine", "GET"): [case("/worklist/mine", WORKLIST_OWN)],
    # --- children, reviews, IRO contacts ----------------------------------------------------------
    ("/children/", "GET"): [case("/children/", REVIEWS_AREA)],
    ("/children/", "POST"): [case("/children/", REVIEWS_AREA)],
    ("/children/all", "GET"): [case("/children/all", REVIEWS_AREA)],
    ("/children/team", "GET"): [case("/children/team", {"iro_manager", "manager"})],
    ("/children/export/903-reviews.csv", "GET"): [
        case("/children/export/903-reviews.csv", REVIEWS_AREA | {"analyst"}, "a QARO's caseload; the analyst's: all"),
        case("/children/export/903-reviews.csv?scope=team&team=North", {"iro_manager", "manager"}),
        case("/children/export/903-reviews.csv?scope=all", {"iro_manager", "analyst"}, "the whole authority"),
    ],
    ("/children/903-checks", "GET"): [
        case(
            "/children/903-checks", CHILDREN_WRITE | {"analyst"}, "a QARO's caseload; all for the IRO manager, analyst"
        ),
        case("/children/903-checks?year=2023&format=csv", CHILDREN_WRITE | {"analyst"}, "the same, downloaded"),
    ],
    ("/children/new", "GET"): [case("/children/new", CHILDREN_WRITE, "any QARO may add a child")],
    ("/children/new", "POST"): [case("/children/new", CHILDREN_WRITE)],
    ("/children/<child_id>", "GET"): [case("/children/{child}", REVIEWS_AREA, "a QARO may view all children")],
    # --- pre-review consultations: staff pages (a round about another officer's child) ------------
    ("/children/consultations/", "GET"): [
        case("/children/consultations/", CONSULT_READ),
        case("/children/consultations/?show=all&page=2", CONSULT_READ),
    ],
    ("/children/consultations/new/<child_id>", "GET"): [
        case("/children/consultations/new/{child}", CONSULT_WRITE, "starting one needs the capability alone")
    ],
    ("/children/consultations/new/<child_id>", "POST"): [case("/children/consultations/new/{child}", CONSULT_WRITE)],
    ("/children/consultations/<round_id>", "GET"): [
        case("/children/consultations/{round}", CONSULT_READ, "respondents and answers: roles reading children")
    ],
    ("/children/consultations/<round_id>/date", "GET"): [case("/children/consultations/{round}/date", CONSULT_ALL)],
    ("/children/consultations/<round_id>/date", "POST"): [case("/children/consultations/{round}/date", CONSULT_ALL)],
    ("/children/consultations/<round_id>/respondents/new", "GET"): [
        case("/children/consultations/{round}/respondents/new", CONSULT_ALL, "a QARO: her children's rounds")
    ],
    ("/children/consultations/<round_id>/respondents/new", "POST"): [
        case("/children/consultations/{round}/respondents/new", CONSULT_ALL)
    ],
    ("/children/consultations/<round_id>/respondents/<int:respondent_id>/remove", "GET"): [
        case("/children/consultations/{round}/respondents/{respondent}/remove", CONSULT_ALL)
    ],
    ("/children/consultations/<round_id>/respondents/<int:respondent_id>/remove", "POST"): [
        case("/children/consultations/{round}/respondents/{respondent}/remove", CONSULT_ALL)
    ],
    ("/children/consultations/<round_id>/respondents/<int:respondent_id>/answers", "GET"): [
        case("/children/consultations/{round}/respondents/{respondent}/answers", CONSULT_ALL)
    ],
    ("/children/consultations/<round_id>/respondents/<int:respondent_id>/answers", "POST"): [
        case("/children/consultations/{round}/respondents/{respondent}/answers", CONSULT_ALL)
    ],
    ("/children/consultations/<round_id>/respondents/<int:respondent_id>/paper", "GET"): [
        case("/children/consultations/{round}/respondents/{respondent}/paper", CONSULT_READ)
    ],
    # --- the public consultation form: no account; a wrong link is the neutral page (404) ----------
    ("/consult/<token>", "GET"): [case("/consult/{token}", PUBLIC, "the personal link opens the form, for anyone")],
    ("/consult/<token>/<step>", "GET"): [case("/consult/{token}/health", PUBLIC)],
    ("/consult/<token>/<step>", "POST"): [case("/consult/{token}/health", PUBLIC, "no form key: nothing saved")],
    ("/consult/<token>/check", "GET"): [case("/consult/{token}/check", PUBLIC)],
    ("/consult/<token>/check", "POST"): [case("/consult/{token}/check", PUBLIC, "no form key: nothing sent")],
    ("/children/<child_id>/edit", "GET"): [case("/children/{child}/edit", IRO_MANAGER, "not the QARO's child")],
    ("/children/<child_id>/edit", "POST"): [case("/children/{child}/edit", IRO_MANAGER, "not the QARO's child")],
    ("/children/<child_id>/allocate", "GET"): [case("/children/{child}/allocate", IRO_MANAGER)],
    ("/children/<child_id>/allocate", "POST"): [case("/children/{child}/allocate", IRO_MANAGER)],
    ("/children/<child_id>/plan", "GET"): [case("/children/{child}/plan", IRO_MANAGER, "not the QARO's child")],
    ("/children/<child_id>/plan", "POST"): [case("/children/{child}/plan", IRO_MANAGER)],
    ("/children/<child_id>/periods/new", "GET"): [case("/children/{child}/periods/new", IRO_MANAGER)],
    ("/children/<child_id>/periods/new", "POST"): [case("/children/{child}/periods/new", IRO_MANAGER)],
    ("/children/<child_id>/periods/<int:period_id>/edit", "GET"): [
        case("/children/{child}/periods/{period}/edit", IRO_MANAGER)
    ],
    ("/children/<child_id>/periods/<int:period_id>/edit", "POST"): [
        case("/children/{child}/periods/{period}/edit", IRO_MANAGER)
    ],
    ("/children/<child_id>/periods/<int:period_id>/remove", "GET"): [
        case("/children/{child}/periods/{period}/remove", IRO_MANAGER, "removal: the IRO manager only")
    ],
    ("/children/<child_id>/periods/<int:period_id>/remove", "POST"): [
        case("/children/{child}/periods/{period}/remove", IRO_MANAGER)
    ],
    ("/children/<child_id>/reviews/new", "GET"): [
        case("/children/{child}/reviews/new", CHILDREN_WRITE, "covering a colleague's review")
    ],
    ("/children/<child_id>/reviews/new", "POST"): [case("/children/{child}/reviews/new", CHILDREN_WRITE)],
    ("/children/<child_id>/reviews/<review_id>/edit", "GET"): [
        case("/children/{child}/reviews/{review}/edit", IRO_MANAGER, "neither chaired nor allocated")
    ],
    ("/children/<child_id>/reviews/<review_id>/edit", "POST"): [
        case("/children/{child}/reviews/{review}/edit", IRO_MANAGER)
    ],
    ("/children/<child_id>/reviews/<review_id>/remove", "GET"): [
        case("/children/{child}/reviews/{review}/remove", IRO_MANAGER, "removal: the IRO manager only")
    ],
    ("/children/<child_id>/reviews/<review_id>/remove", "POST"): [
        case("/children/{child}/reviews/{review}/remove", IRO_MANAGER)
    ],
    ("/children/<child_id>/contacts/new", "GET"): [case("/children/{child}/contacts/new", CHILDREN_WRITE)],
    ("/children/<child_id>/contacts/new", "POST"): [case("/children/{child}/contacts/new", CHILDREN_WRITE)],
    ("/children/<child_id>/contacts/<iro_contact_id>/edit", "GET"): [
        case("/children/{child}/contacts/{iro_contact}/edit", IRO_MANAGER, "neither made it nor allocated")
    ],
    ("/children/<child_id>/contacts/<iro_contact_id>/edit", "POST"): [
        case("/children/{child}/contacts/{iro_contact}/edit", IRO_MANAGER)
    ],
    ("/children/<child_id>/contacts/<iro_contact_id>/remove", "GET"): [
        case("/children/{child}/contacts/{iro_contact}/remove", IRO_MANAGER, "removal: the IRO manager only")
    ],
    ("/children/<child_id>/contacts/<iro_contact_id>/remove", "POST"): [
        case("/children/{child}/contacts/{iro_contact}/remove", IRO_MANAGER)
    ],
    # --- escalations ------------------------------------------------------------------------------
    ("/escalations/", "GET"): [case("/escalations/", CHILDREN_READ)],
    ("/escalations/mine", "GET"): [case("/escalations/mine", CHILDREN_READ)],
    ("/escalations/all", "GET"): [case("/escalations/all", {"iro_manager", "manager"})],
    ("/escalations/stage4", "GET"): [case("/escalations/stage4", CHILDREN_READ)],
    ("/escalations/new", "GET"): [case("/escalations/new", CHILDREN_WRITE)],
    ("/escalations/new", "POST"): [case("/escalations/new", CHILDREN_WRITE)],
    ("/escalations/<escalation_id>", "GET"): [case("/escalations/{escalation}", CHILDREN_READ)],
    ("/escalations/<escalation_id>/response", "POST"): [
        case("/escalations/{escalation}/response", IRO_MANAGER, "raised by another QARO about their child")
    ],
    ("/escalations/<escalation_id>/escalate", "POST"): [case("/escalations/{escalation}/escalate", IRO_MANAGER)],
    ("/escalations/<escalation_id>/close", "POST"): [case("/escalations/{escalation}/close", IRO_MANAGER)],
    **{
        (rule, method): [case(url, IRO_MANAGER, "corrections: raised by another QARO about their child")]
        for rule, url in (
            ("/escalations/<escalation_id>/edit", "/escalations/{escalation}/edit"),
            ("/escalations/<escalation_id>/stages/<stage>/edit", "/escalations/{escalation}/stages/informal/edit"),
        )
        for method in ("GET", "POST")
    },
    # --- panels: foster households, carer reviews, returns, temporary approvals --------------------
    ("/panels/households", "GET"): [
        case("/panels/households", PANELS_READ),
        case("/panels/households?status=all&format=xlsx", PANELS_READ, "the list downloaded: as the page"),
    ],
    ("/panels/households", "POST"): [case("/panels/households", PANELS_READ, "the search, kept in the session")],
    ("/panels/returns-to-panel", "GET"): [case("/panels/returns-to-panel", PANELS_READ)],
    ("/panels/temporary-approvals", "GET"): [case("/panels/temporary-approvals", PANELS_READ)],
    ("/panels/households/<household_id>", "GET"): [case("/panels/households/{household}", PANELS_READ)],
    **{
        (rule, method): [case(url, PANELS_EDIT, "the panel administrator changes; the ADM and the manager read")]
        for rule, url in (
            ("/panels/households/new", "/panels/households/new"),
            *(
                (f"/panels/households/<household_id>/{page}", f"/panels/households/{{household}}/{page}")
                for page in ("edit", "status", "end", "reviews/new", "extend", "full-approval")
            ),
            *(
                (
                    f"/panels/households/<household_id>/reviews/<carer_review_id>/{page}",
                    f"/panels/households/{{household}}/reviews/{{carer_review}}/{page}",
                )
                for page in ("edit", "remove")
            ),
        )
        for method in ("GET", "POST")
    },
    # --- LADO: LADO roles only, everywhere ----------------------------------------------------------
    ("/lado/", "GET"): [case("/lado/", LADO)],
    ("/lado/contacts/new", "GET"): [case("/lado/contacts/new", LADO)],
    ("/lado/contacts/new", "POST"): [case("/lado/contacts/new", LADO)],
    ("/lado/contacts/<contact_id>", "GET"): [case("/lado/contacts/{contact}", LADO)],
    ("/lado/contacts/<contact_id>/edit", "GET"): [case("/lado/contacts/{contact}/edit", LADO)],
    ("/lado/contacts/<contact_id>/edit", "POST"): [case("/lado/contacts/{contact}/edit", LADO)],
    ("/lado/contacts/<contact_id>/referral", "GET"): [case("/lado/contacts/{contact}/referral", LADO)],
    ("/lado/contacts/<contact_id>/referral", "POST"): [case("/lado/contacts/{contact}/referral", LADO)],
    ("/lado/referrals", "GET"): [case("/lado/referrals", LADO)],
    ("/lado/referrals/<referral_id>", "GET"): [case("/lado/referrals/{referral}", LADO)],
    **{
        (f"/lado/referrals/<referral_id>/{form}", method): [case(f"/lado/referrals/{{referral}}/{form}", LADO)]
        for form in ("meetings/new", "outcome", "dbs", "details", "close", "reopen", "actions/new")
        for method in ("GET", "POST")
    },
    ("/lado/meetings/<meeting_id>/edit", "GET"): [case("/lado/meetings/{meeting}/edit", LADO)],
    ("/lado/meetings/<meeting_id>/edit", "POST"): [case("/lado/meetings/{meeting}/edit", LADO)],
    **{
        (f"/lado/{kind}s/<{kind}_id>/remove", method): [
            case(f"/lado/{kind}s/{{{kind}}}/remove", LADO_MANAGER, "its author or a LADO manager: not another LADO")
        ]
        for kind in ("meeting", "action")
        for method in ("GET", "POST")
    },
    ("/lado/actions", "GET"): [case("/lado/actions", LADO)],
    ("/lado/actions", "POST"): [case("/lado/actions", LADO)],
    ("/lado/actions/<action_id>", "GET"): [case("/lado/actions/{action}", LADO)],
    ("/lado/actions/<action_id>/complete", "GET"): [case("/lado/actions/{action}/complete", LADO)],
    ("/lado/actions/<action_id>/complete", "POST"): [case("/lado/actions/{action}/complete", LADO)],
    ("/lado/actions/<action_id>/review", "GET"): [case("/lado/actions/{action}/review", LADO)],
    ("/lado/actions/<action_id>/review", "POST"): [case("/lado/actions/{action}/review", LADO)],
    ("/lado/actions/<action_id>/edit", "GET"): [case("/lado/actions/{action}/edit", LADO)],
    ("/lado/actions/<action_id>/edit", "POST"): [case("/lado/actions/{action}/edit", LADO)],
    ("/lado/people/<public_id>", "GET"): [case("/lado/people/{person}", LADO)],
    ("/lado/people/<public_id>", "POST"): [case("/lado/people/{person}", LADO)],
    ("/lado/people/<public_id>/merge", "POST"): [
        case("/lado/people/{person}/merge", LADO_MANAGER, "merging two records of a person: the LADO manager")
    ],
    ("/lado/organisations/<ref>", "GET"): [case("/lado/organisations/{organisation}", LADO)],
    ("/lado/organisations/<ref>", "POST"): [case("/lado/organisations/{organisation}", LADO)],
    ("/lado/search", "GET"): [case("/lado/search", LADO)],
    ("/lado/search", "POST"): [case("/lado/search", LADO)],
    ("/lado/oversight", "GET"): [case("/lado/oversight", LADO_MANAGER)],
    ("/lado/queue", "GET"): [case("/lado/queue", LADO_MANAGER, "the LADO managers' queue of referrals to allocate")],
    ("/lado/queue/<referral_id>", "POST"): [case("/lado/queue/{referral}", LADO_MANAGER, "allocating from the queue")],
    ("/lado/retention", "GET"): [case("/lado/retention", LADO_MANAGER)],
    ("/lado/audit", "GET"): [case("/lado/audit", LADO_MANAGER, "the LADO manager's own audit view, with values")],
    # --- panels: meetings and cases (panel_admin edits, adm decides, manager reads) ----------------
    **{(f"/panels/{path}", "GET"): [case(f"/panels/{path}", PANELS_READ)] for path in ("awaiting", "adm", "to-return")},
    ("/panels/", "GET"): [
        case("/panels/", PANELS_READ),
        case("/panels/?format=xlsx", PANELS_READ, "the calendar downloaded: as the page"),
    ],
    ("/panels/meetings/<meeting_id>", "GET"): [case("/panels/meetings/{panel_meeting}", PANELS_READ)],
    ("/panels/cases/<case_id>", "GET"): [case("/panels/cases/{panel_case}", PANELS_READ)],
    **{
        (f"/panels/{path}", method): [case(f"/panels/{path}", PANELS_EDIT)]
        for path in ("meetings/new", "meetings/book-year", "cases/new")
        for method in ("GET", "POST")
    },
    **{
        (f"/panels/{kind}s/<{kind}_id>/{form}", method): [
            case(f"/panels/{kind}s/{{panel_{kind}}}/{form}", PANELS_DECIDE if form == "decision" else PANELS_EDIT)
        ]
        for kind, forms in (("meeting", ("edit", "attendance", "cancel")), ("case", ("edit", "outcome", "decision")))
        for form in forms
        for method in ("GET", "POST")
    },
    # --- the board: scorecard, trends, commentary, configuration, frozen months (helper A) ----------
    # configuration and frozen months
    # configuration and frozen months (admin only). The posts carry nothing but the CSRF token: a form
    # is shown again with its messages, a move or a deletion is made. Section 4 and row 20 (Panels) are
    # deleted; the other entries use section 1 and row 1 (Reviews), which stay. 2023-03 is frozen by
    # its "freeze" entry (sorted before "refreeze"), so that its re-freeze page shows the form.
    ("/board/configure", "GET"): [case("/board/configure", ADMIN)],
    **{
        (rule, method): [case(url, ADMIN)]
        for rule, url in (
            ("/board/configure/sections/new", "/board/configure/sections/new"),
            ("/board/configure/sections/<int:section_id>/edit", "/board/configure/sections/1/edit"),
            ("/board/configure/sections/<int:section_id>/delete", "/board/configure/sections/4/delete"),
            ("/board/configure/sections/<int:section_id>/rows/new", "/board/configure/sections/1/rows/new"),
            ("/board/configure/rows/<int:row_id>/edit", "/board/configure/rows/1/edit"),
            ("/board/configure/rows/<int:row_id>/delete", "/board/configure/rows/20/delete"),
            ("/board/months/<month>/refreeze", "/board/months/2023-03/refreeze"),
        )
        for method in ("GET", "POST")
    },
    ("/board/configure/sections/<int:section_id>/move/<any(up, down):direction>", "POST"): [
        case("/board/configure/sections/1/move/down", ADMIN)
    ],
    ("/board/configure/rows/<int:row_id>/move/<any(up, down):direction>", "POST"): [
        case("/board/configure/rows/1/move/down", ADMIN)
    ],
    ("/board/months", "GET"): [case("/board/months", ADMIN)],
    ("/board/months/<month>/freeze", "POST"): [
        case("/board/months/2023-03/freeze", ADMIN, "frozen once, then refused")
    ],
    ("/board/", "GET"): [
        case("/board/", BOARD, "aggregates; small numbers suppressed, no record links for board members"),
        case("/board/?month=2023-03", BOARD, "a month chosen"),
    ],
    ("/board/rows/<int:row_id>", "GET"): [
        case("/board/rows/{scorecard_row}?month=2023-03", BOARD, "a row's 12-month trend: aggregates"),
    ],
    ("/board/sections/<int:section_id>/commentary", "GET"): [
        case("/board/sections/{scorecard_section}/commentary?month=2023-03", BOARD_COMMENTARY, "managers write it"),
    ],
    ("/board/sections/<int:section_id>/commentary", "POST"): [
        case("/board/sections/{scorecard_section}/commentary?month=2023-03", BOARD_COMMENTARY),
    ],
    ("/board/print", "GET"): [
        case("/board/print?month=2023-03", BOARD, "the scorecard for paper: as the page, without links"),
    ],
    # --- the board: annual report tables (helper B) ------------------------------------------------
    # (their CSV is streamed, which this sweep does not read: tests/board/test_annual_pages.py checks
    # it for every role; the XLSX of the board pack, not streamed, can join these rows)
    **{
        (f"/board/annual/{report}", "GET"): [
            case(f"/board/annual/{report}?year=2022", BOARD, "aggregates; small numbers suppressed for board members"),
            case(
                f"/board/annual/{report}?year=2022&format=xlsx", BOARD, "the tables' workbook, suppressed as the page"
            ),
        ]
        for report in ("iro", "lado", "panel")
    },
    # --- the board: the board pack downloads and print view (helper C) -----------------------------
    ("/board/pack.<fmt>", "GET"): [
        case("/board/pack.xlsx?month=2023-03", BOARD, "the board pack's workbook: suppressed for board members"),
        case("/board/pack.json?month=2023-03", BOARD, "the board pack's rows: suppressed for board members"),
    ],
}


def _rules(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_entry(app):
    routes = _rules(app)
    assert sorted(routes - MATRIX.keys()) == [], "routes without an entry in the access matrix: add one"
    assert sorted(MATRIX.keys() - routes) == [], "entries for routes that no longer exist"


def _samples(app) -> dict:
    """References of records that belong to the small authority's own officers."""
    from tracker.auth.models import User
    from tracker.board.models import ScorecardRow, ScorecardSection
    from tracker.consultations import operations as consultations
    from tracker.escalations import operations as escalations
    from tracker.extensions import db
    from tracker.lado.models import LadoAction, LadoContact, LadoMeeting, LadoPerson, LadoReferral
    from tracker.panels import operations as panels
    from tracker.reviews.models import CarePeriod, Child, IroContact, Review
    from tracker.rules import operations as rules

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.officer_id.is_not(None)).order_by(Review.review_id))
        child = db.session.get(Child, review.child_pk)
        period = db.session.scalar(select(CarePeriod.id).where(CarePeriod.child_pk == child.id).limit(1))
        iro_contact = db.session.scalar(
            select(IroContact.contact_id)
            .where(IroContact.child_pk == child.id, IroContact.officer_id.is_not(None))
            .order_by(IroContact.contact_id)
            .limit(1)
        )
        # an open escalation raised by the child's own QARO (the small authority's are all closed)
        escalation = escalations.raise_escalation(
            child=child,
            raised_by=child.iro_officer_id,
            areas=["care_plan"],
            stage="informal",
            started_date=dt.date.today(),
        )
        person = db.session.scalar(select(LadoPerson).order_by(LadoPerson.ref))
        contact = db.session.scalar(select(LadoContact).order_by(LadoContact.contact_id))
        referral = db.session.scalar(select(LadoReferral).order_by(LadoReferral.referral_id))
        meeting = db.session.scalar(select(LadoMeeting).order_by(LadoMeeting.meeting_id))
        action = db.session.scalar(select(LadoAction).order_by(LadoAction.action_id))
        target = db.session.scalar(select(User).where(User.officer_id == "Q1"))
        rules.add_closure_day(CLOSURE_DAY, "Office closed")
        # a temporary approval with a review (the small authority's households have none recorded on screen)
        household = panels.create_household(carer_type="temporary", approval_date=dt.date.today())
        carer_review = panels.record_carer_review(household, review_date=dt.date.today())
        # a booked panel meeting with a case on its agenda (made here, whatever the import holds)
        panel_meeting = panels.book_meeting(panel="fostering", meeting_date=CLOSURE_DAY + dt.timedelta(days=1))
        panel_case = panels.add_case(
            panel="fostering", case_type="approval", subject_ref="H001", meeting_id=panel_meeting.meeting_id
        )
        # a consultation before the child's next review, with one respondent invited by email
        consultation = consultations.create_round(child, dt.date.today() + dt.timedelta(days=20))
        respondent = consultations.add_respondent(
            consultation, respondent_type="parent", name="A Parent", contact_method="email", email="p@example.org"
        )
        token = consultations.issue_link(respondent, "invitation")
        scorecard_row = db.session.scalar(select(ScorecardRow.id).order_by(ScorecardRow.id).limit(1))
        scorecard_section = db.session.scalar(select(ScorecardSection.id).order_by(ScorecardSection.id).limit(1))
        db.session.commit()
        assert child.iro_officer_id and escalation.raised_by, "the samples must belong to somebody"
        return {
            "child": child.child_id,
            "period": period,
            "iro_contact": iro_contact,
            "review": review.review_id,
            "escalation": escalation.escalation_id,
            "person": person.public_id,
            "organisation": db.session.scalar(select(func.min(LadoContact.organisation_ref))),
            "contact": contact.contact_id,
            "referral": referral.referral_id,
            "meeting": meeting.meeting_id,
            "action": action.action_id,
            "target_user": target.id,
            "closure_day": CLOSURE_DAY.isoformat(),
            "household": household.household_id,
            "carer_review": carer_review.review_id,
            "panel_meeting": panel_meeting.meeting_id,
            "panel_case": panel_case.case_id,
            "scorecard_row": scorecard_row,
            "round": consultation.round_id,
            "respondent": respondent.id,
            "token": token,
            "scorecard_section": scorecard_section,
        }


def _fingerprint(app) -> dict:
    """Row counts of every table and the sum of record versions: a refused request changes none."""
    from tracker.extensions import db

    with app.app_context():
        counts = {}
        for table in db.metadata.sorted_tables:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
            if "version" in table.c:
                counts[table.name + ".version"] = db.session.scalar(select(func.sum(table.c.version)))
        db.session.remove()
        return counts


def _visitors(app) -> dict[str, int | None]:
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        ids = {}
        for role in ROLE_CODES:
            user = User(email=f"matrix-{role}@example.org", name=f"Matrix {role}")
            user.set_roles([role])
            db.session.add(user)
            db.session.flush()
            ids[role] = user.id
        db.session.commit()
    return {ANONYMOUS: None, **ids}


def _sign_in(app, client, user_id: int) -> None:
    """A session of the visitor as signing in starts it (a POST to /logout ends the earlier ones)."""
    from tracker.auth import sessions
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        version = db.session.get(User, user_id).session_version
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session[sessions.VERSION] = version or 1


def _request(app, client, token, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def _verdict(visitor: str, entry: Case, url: str, response) -> str | None:
    status = response.status_code
    to_login = status == 302 and response.location.startswith("/login")
    if status >= 500:
        return f"server error {status}"
    if url.startswith("/consult/"):  # the personal link is the key, whoever holds it (no session read)
        return None if status == 200 else f"{status}, expected the consultation form"
    if visitor == ANONYMOUS:
        public = url.startswith("/login")
        if public and status == 200:
            return None
        return None if to_login else f"{status}, expected a redirect to sign in"
    if url.startswith("/login"):  # public: a signed-in visitor is sent home (GET) or shown the form
        return None if status in (200, 302, 400) else f"{status} on the public sign-in page"
    if visitor in entry.allowed:
        if entry.signs_out:
            return None if to_login else f"{status}, expected to be signed out"
        if status in (403, 404) or to_login:
            return f"{status}, expected to be allowed"
        return None
    return None if status == 403 else f"{status}, expected 403"


def test_access_matrix(app, small_authority, csrf_token):
    samples = _samples(app)
    visitors = _visitors(app)
    problems = []
    for visitor, user_id in visitors.items():
        for (_rule, method), cases in sorted(MATRIX.items()):
            for entry in cases:
                url = entry.url.format(**samples)
                client = app.test_client()
                if user_id is not None:
                    _sign_in(app, client, user_id)
                token = csrf_token(client)
                forbidden = visitor == ANONYMOUS or visitor not in entry.allowed
                keyless = url.startswith("/consult/")  # posted without the link's form key: nothing saved
                before = (
                    _fingerprint(app)
                    if method == "POST" and (forbidden or keyless) and not url.startswith("/login")
                    else None
                )
                response = _request(app, client, token, method, url)
                problem = _verdict(visitor, entry, url, response)
                if problem is None and before is not None and _fingerprint(app) != before:
                    problem = "refused, yet something was written"
                if problem:
                    problems.append(f"{visitor:>13} {method:4} {url}: {problem}")
    assert problems == [], "\n".join(problems)


# --- the audit log's value columns ------------------------------------------------------------------
# Which families' summaries and before/after values each viewer reads (every viewer sees every
# row's when, who, action, record type and id). Roles combine: an administrator with a case role.
AUDIT_ROWS = {  # family -> a row of that family: (action, object type)
    "children": ("child.update", "child"),
    "escalations": ("escalation.raise", "escalation"),
    "lado": ("lado_contact.update", "lado_contact"),
    "accounts": ("user.set_roles", "user"),
}
AUDIT_VALUES = [
    ("/admin/audit", ("admin",), {"accounts"}),
    ("/admin/audit", ("admin", "qaro"), {"accounts", "children", "escalations"}),
    ("/admin/audit", ("admin", "manager"), {"accounts", "children", "escalations"}),
    ("/admin/audit", ("admin", "lado"), {"accounts", "lado"}),
    ("/admin/audit", ("admin", "analyst"), {"accounts"}),
    ("/admin/audit", ("admin", "iro_manager", "lado_manager"), {"accounts", "children", "escalations", "lado"}),
    ("/lado/audit", ("lado_manager",), {"lado"}),  # LADO rows only, with their values
]


@pytest.mark.parametrize("url,roles,families", AUDIT_VALUES)
def test_the_audit_logs_value_columns(app, client_request, login_as, url, roles, families):
    from tracker.core import audit
    from tracker.core.audit import ACTIONS
    from tracker.extensions import db

    with app.app_context():
        for family, (action, object_type) in AUDIT_ROWS.items():
            assert action in ACTIONS
            audit.record(
                action,
                object_type=object_type,
                object_id=f"ID-{family}",
                summary=f"summary-of-{family}",
                after={"value": f"value-of-{family}"},
                actor="test",
            )
        db.session.commit()
    login_as(*roles)
    text = client_request.get(url).response.get_data(as_text=True)
    listed = {f for f in AUDIT_ROWS if f"ID-{f}" in text}
    assert listed == (set(AUDIT_ROWS) if url == "/admin/audit" else {"lado"})
    shown = {f for f in AUDIT_ROWS if f"summary-of-{f}" in text or f"value-of-{f}" in text}
    assert shown == families
    assert all(f"summary-of-{f}" in text and f"value-of-{f}" in text for f in families)
