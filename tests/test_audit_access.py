"""Who sees what in the audit log (domain.md §1; security finding 1).

Everyone who may read the log sees every row's time, actor, action, record type and record id.
The summary and before/after values of a row about a case record are shown only to a viewer who
may read that family of records (``permissions.audit_withheld``): a system administrator without
a case role reads that a LADO person was changed, never the name; a plain admin keeps seeing the
values of the rows that are not about case records (a sign-in's address). The LADO manager's own
view (``/lado/audit``) lists the LADO rows only, with their values, and is itself an audited read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.pages import normalise
from tracker.core import permissions
from tracker.core.audit import ACTIONS, AuditEntry
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # make_user's

# What the records hold, and what must never reach a viewer who may not read them.
PERSON_NAME = "Jolyon Quillfeather"
PERSON_DOB = dt.date(1979, 3, 14)
PERSON_NOTES = "Previously dismissed from Brookfield Academy"
SUBJECT_ROLE = "Swimming coach"
REFERRER = "Riverside Police Unit"
CONTACT_SUMMARY = "Pupil disclosed that Jolyon Quillfeather sent messages"
CHILD_FIRST, CHILD_LAST = "Kezia", "Marchbanks"
CHILD_DOB = "2012-05-01"

PERSON_REF = "Quillfeather-1979"  # a reference from the case system may be a name: never in the log
LADO_SECRETS = (PERSON_REF, PERSON_NAME, PERSON_DOB.isoformat(), PERSON_NOTES, SUBJECT_ROLE, REFERRER, CONTACT_SUMMARY)
CHILD_SECRETS = (CHILD_FIRST, CHILD_LAST, CHILD_DOB)

LADO_HIDDEN = "Details are visible to LADO roles only"
CHILD_HIDDEN = "Details are visible to roles that may read children's records only"


@pytest.fixture
def records(app):
    """A LADO person (name, date of birth, notes) and a contact about them (with a summary), and
    a child, all made through the operations; plus the rows older code (or a future change) might
    have written with the values themselves, so the page is tested on what it hides, not on what
    today's operations happen to leave out."""
    from tracker.core import audit
    from tracker.lado import operations as lado
    from tracker.reviews import operations as reviews

    with app.app_context():
        contact = lado.log_contact(
            contact_date=dt.date(2023, 1, 2),
            employer_sector="sport",
            disposition="advice",
            person_ref=PERSON_REF,
            person_name=PERSON_NAME,
            person_dob=PERSON_DOB,
            subject_role=SUBJECT_ROLE,
            referrer_agency=REFERRER,
            summary=CONTACT_SUMMARY,
        )
        lado.update_person(contact.person, name=PERSON_NAME, date_of_birth=PERSON_DOB, notes=PERSON_NOTES)
        person_id = contact.person.public_id
        child = reviews.create_child(
            child_id="C90001",
            date_of_birth=dt.date.fromisoformat(CHILD_DOB),
            first_name=CHILD_FIRST,
            last_name=CHILD_LAST,
        )
        audit.record(
            "lado_person.update",
            object_type="lado_person",
            object_id=person_id,
            summary=f"Person {PERSON_REF} renamed to {PERSON_NAME}",
            before={"notes": ""},
            after={"name": PERSON_NAME, "date_of_birth": PERSON_DOB, "notes": PERSON_NOTES},
            actor="test",
        )
        audit.record(
            "lado_contact.update",
            object_type="lado_contact",
            object_id=contact.contact_id,
            summary=f"Contact {contact.contact_id}: {CONTACT_SUMMARY}",
            after={"summary": CONTACT_SUMMARY},
            actor="test",
        )
        audit.record(
            "lado_record.read",
            object_type="lado_page",
            object_id="lado.search",
            summary=f"Viewed lado.search: {PERSON_NAME}",
            after={"refs": [person_id]},
            actor="test",
        )
        db.session.commit()
        return SimpleNamespace(person_id=person_id, contact_id=contact.contact_id, child_id=child.child_id)


def entries(page) -> list[dict]:
    """The audit table's rows: the record cell, and the summary/before/after cells' text (or the
    text shown instead of them)."""
    shown = []
    for row in page.select("#audit-log tbody tr"):
        cells = row.select("td")
        shown.append(
            {
                "action": cells[2].select_one("[data-action]")["data-action"],  # the code, under its label
                "record": normalise(cells[3].get_text()),
                "details": [normalise(c.get_text(" ")) for c in cells[4:]],
            }
        )
    return shown


def html(page) -> str:
    return page.response.get_data(as_text=True)


def assert_hidden(page, secrets) -> None:
    for secret in secrets:
        assert secret not in html(page), secret


def assert_shown(page, secrets) -> None:
    for secret in secrets:
        assert secret in page.text, secret


# --- finding 1: the administrators' log -----------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?object_type=lado_person", "?object_type=lado_contact", "?object_type=child"])
def test_a_plain_admin_sees_rows_but_no_case_values(client_request, login_as, records, query):
    login_as("admin")
    page = client_request.get("/admin/audit" + query)
    assert_hidden(page, LADO_SECRETS + CHILD_SECRETS)
    shown = entries(page)
    assert shown, "the rows are listed"
    wanted = query.partition("=")[2]
    if wanted:
        assert {e["record"].split()[0] for e in shown} == {wanted}
    for e in shown:
        if e["record"].startswith("lado_") or e["action"] == "lado_record.read":
            assert e["details"] == [LADO_HIDDEN]
        elif e["record"].startswith("child"):
            assert e["details"] == [CHILD_HIDDEN]
    records_shown = {e["record"] for e in shown}
    if wanted in ("", "lado_person"):  # named by the public id, never by a reference that may be a name
        assert f"lado_person {records.person_id}" in records_shown
    if wanted in ("", "lado_contact"):
        assert f"lado_contact {records.contact_id}" in records_shown
    if wanted in ("", "child"):
        assert f"child {records.child_id}" in records_shown
    if not wanted:
        assert "lado_page lado.search" in records_shown
        assert {LADO_HIDDEN, CHILD_HIDDEN} <= set(page.texts("#audit-log td"))


def test_a_filter_by_record_id_finds_the_rows_and_still_hides_the_values(client_request, login_as, records):
    login_as("admin")
    page = client_request.get(f"/admin/audit?object_id={records.contact_id}")
    shown = entries(page)
    assert {e["record"] for e in shown} == {f"lado_contact {records.contact_id}"}
    assert all(e["details"] == [LADO_HIDDEN] for e in shown)
    assert_hidden(page, LADO_SECRETS)
    page = client_request.get(f"/admin/audit?object_type=child&object_id={records.child_id}&action=child.create")
    assert [e["details"] for e in entries(page)] == [[CHILD_HIDDEN]]
    assert_hidden(page, CHILD_SECRETS)


def test_the_log_names_a_person_by_the_public_id_never_by_the_reference(app, client_request, login_as, records):
    """A LADO person's reference may be a name ("JSmith-1980"): no audit row holds it as the record
    id, so neither the record column nor the id filter can show or confirm it."""
    login_as("admin")
    page = client_request.get(f"/admin/audit?object_id={records.person_id}")
    assert {e["record"] for e in entries(page)} == {f"lado_person {records.person_id}"}
    assert {e["action"] for e in entries(page)} >= {"lado_person.create", "lado_person.update"}
    assert entries(client_request.get(f"/admin/audit?object_id={PERSON_REF}")) == []
    with app.app_context():
        assert db.session.query(AuditEntry).filter(AuditEntry.object_id == PERSON_REF).count() == 0


def test_admin_with_a_lado_role_sees_lado_values_not_child_values(client_request, login_as, records):
    login_as("admin", "lado")
    page = client_request.get("/admin/audit")
    assert_shown(page, LADO_SECRETS)
    assert_hidden(page, CHILD_SECRETS)
    assert LADO_HIDDEN not in page.text and CHILD_HIDDEN in page.text


def test_lado_values_shown_on_the_admin_log_are_an_audited_read(client_request, login_as, records, lado_reads):
    """A LADO role's admin reading LADO values on /admin/audit reads LADO records: one read row,
    references only. A plain admin, shown no LADO values, reads none."""
    plain = login_as("admin")
    client_request.get("/admin/audit")
    assert lado_reads(user_id=plain.id) == []
    both = login_as("admin", "lado")
    client_request.get("/admin/audit")
    (row,) = lado_reads(user_id=both.id)
    assert (row.object_type, row.object_id) == ("lado_page", "admin.audit")
    assert {records.person_id, records.contact_id} <= set(row.after["refs"])
    for secret in LADO_SECRETS:
        assert secret not in row.summary and secret not in str(row.after)
    client_request.get("/admin/audit?object_type=child")  # no LADO row shown: nothing read
    assert len(lado_reads(user_id=both.id)) == 1


def test_admin_with_iro_manager_sees_child_values_not_lado_values(client_request, login_as, records):
    login_as("admin", "iro_manager")
    page = client_request.get("/admin/audit")
    assert_shown(page, CHILD_SECRETS)
    assert_hidden(page, LADO_SECRETS)
    assert CHILD_HIDDEN not in page.text and LADO_HIDDEN in page.text
    (child,) = [e for e in entries(page) if e["action"] == "child.create"]
    assert child["details"][0] == f"child {records.child_id} added"


def test_sign_in_rows_keep_their_values_for_a_plain_admin(app, client_request, csrf_token, login_as, make_user):
    target = make_user("target@example.org", ["lado"])
    other = app.test_client()
    answer = other.post("/login", data={"email": target.email, "password": PASSWORD, "csrf_token": csrf_token(other)})
    assert answer.status_code == 302
    login_as("admin")
    page = client_request.get(f"/admin/audit?action=session.sign_in&object_type=user&object_id={target.id}")
    (row,) = page.select("#audit-log tbody tr")
    cells = row.select("td")
    assert normalise(cells[4].get_text()) == "Signed in"
    assert [normalise(dd.get_text()) for dd in cells[6].select("dd")] == ["127.0.0.1"]


def test_a_users_audit_history_link_shows_that_users_rows(client_request, login_as, make_user):
    """The record pages' audit history links lead to the filtered log, under the same rule."""
    target = make_user("target@example.org", ["qaro"])
    login_as("admin")
    link = client_request.get(f"/admin/users/{target.id}").links()["See this user's audit history"]
    assert client_request.get(link).errors == []


# --- the LADO manager's view -------------------------------------------------------------------------


def test_the_lado_manager_sees_lado_rows_with_their_values_and_nothing_else(
    app, client_request, login_as, records, audit_rows
):
    manager = login_as("lado_manager")
    page = client_request.get("/lado/audit")
    assert page.h1 == "LADO audit log"
    shown = entries(page)
    assert shown and all(e["record"].startswith("lado_") for e in shown)
    assert f"lado_person {records.person_id}" in {e["record"] for e in shown}
    assert_shown(page, LADO_SECRETS)
    assert_hidden(page, CHILD_SECRETS + (records.child_id,))
    assert LADO_HIDDEN not in page.text
    assert "object_type" not in {f.get("name") for f in page.select("form select, form input")}

    # the page is an audited read: references and counts, no names
    row = audit_rows("lado_record.read", user_id=manager.id)[-1]
    assert (row.object_type, row.object_id) == ("lado_page", "lado.audit_log")
    assert records.person_id in row.after["refs"] and records.contact_id in row.after["refs"]
    assert "lado.search" not in row.after["refs"]  # a page's name is not a record
    assert row.after["total"] == len(shown)
    for secret in LADO_SECRETS:
        assert secret not in row.summary and secret not in str(row.after)


def test_the_lado_audit_filters_stay_within_lado_rows(client_request, login_as, records):
    login_as("lado_manager")
    page = client_request.get(f"/lado/audit?object_id={records.person_id}&action=lado_person.update")
    assert {e["record"] for e in entries(page)} == {f"lado_person {records.person_id}"}
    assert {e["action"] for e in entries(page)} == {"lado_person.update"}
    # a child's row cannot be reached by its id or its action
    assert entries(client_request.get(f"/lado/audit?object_id={records.child_id}")) == []
    assert client_request.get("/lado/audit?action=child.create").errors == ["Not a valid choice."]
    actions = {o["value"] for o in page.select("#action option")} - {""}
    assert actions and all(a.startswith("lado_") for a in actions)
    # an action of the LADO vocabulary nobody has done yet is a filter, not an error
    assert client_request.get("/lado/audit?action=lado_referral.reopen").errors == []
    # the actors offered are the ones in the LADO rows only
    actors = {normalise(o.get_text()) for o in page.select("#actor option")} - {"Anyone"}
    assert actors == {"test", "system"}


def test_the_lado_audit_is_paginated_like_the_admin_log(app, client_request, login_as, records):
    app.config["PAGE_SIZE"] = 2
    login_as("lado_manager")
    first = client_request.get(f"/lado/audit?object_id={records.person_id}")
    assert first.text_of("#audit-log caption") == "Entries 1 to 2 of 3"
    assert first.links(".govuk-pagination")["Next page"] == f"/lado/audit?page=2&object_id={records.person_id}"
    assert len(entries(client_request.get(f"/lado/audit?object_id={records.person_id}&page=2"))) == 1


@pytest.mark.parametrize("roles", [("lado",), ("admin",), ("qaro",), ("iro_manager", "admin", "lado")])
def test_other_roles_may_not_open_the_lado_audit(client_request, login_as, lado_reads, roles):
    login_as(*roles)
    assert client_request.get("/lado/audit", status=403).h1 == "You do not have access to this page"
    assert lado_reads() == []


def test_anonymous_visitors_are_sent_to_sign_in(client):
    answer = client.get("/lado/audit")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_oversight_page_links_to_the_lado_audit(client_request, login_as):
    login_as("lado_manager")
    assert client_request.get("/lado/oversight").links()["See the LADO audit log"] == "/lado/audit"


@pytest.fixture
def lado_reads(audit_rows):
    return lambda **columns: audit_rows("lado_record.read", **columns)


@pytest.fixture
def audit_rows(app):
    def _rows(action: str | None = None, **columns):
        with app.app_context():
            query = db.session.query(AuditEntry).filter_by(**columns)
            if action is not None:
                query = query.filter_by(action=action)
            rows = query.order_by(AuditEntry.id).all()
            db.session.expunge_all()
            return rows

    return _rows


# --- the rule itself ---------------------------------------------------------------------------------


def user(*roles: str):
    return SimpleNamespace(is_authenticated=True, role_codes=list(roles))


# (roles, object type, action) -> values visible
RULE = [
    # LADO records: LADO roles only
    (("admin",), "lado_person", "lado_person.update", False),
    (("admin",), "lado_contact", "lado_contact.create", False),
    (("admin",), "lado_referral", "lado_referral.record_outcome", False),
    (("admin",), "lado_page", "lado_record.read", False),
    (("admin",), None, "lado_record.read", False),
    (("admin", "iro_manager"), "lado_meeting", "lado_meeting.create", False),
    (("manager",), "lado_action", "lado_action.create", False),
    (("admin", "lado"), "lado_person", "lado_person.update", True),
    (("lado_manager",), "lado_organisation", "lado_organisation.create", True),
    (("admin", "lado_manager"), "lado_page", "lado_record.read", True),
    # children's records: children.view
    (("admin",), "child", "child.create", False),
    (("admin",), "care_period", "care_period.update", False),
    (("admin",), "review", "review.remove", False),
    (("admin",), "iro_contact", "iro_contact.create", False),
    (("admin", "lado"), "child", "child.update", False),
    (("admin", "iro_manager"), "child", "child.create", True),
    (("admin", "qaro"), "review", "review.update", True),
    (("admin", "manager"), "iro_contact", "iro_contact.create", True),
    # escalations: escalations.view
    (("admin",), "escalation", "escalation.raise", False),
    (("admin", "lado_manager"), "escalation", "escalation.close", False),
    (("admin", "qaro"), "escalation", "escalation.close", True),
    # not case records: every reader of the log
    (("admin",), "user", "session.sign_in", True),
    (("admin",), "user", "user.set_roles", True),
    (("admin",), "unknown_account", "session.fail", True),
    (("admin",), "address", "session.lock", True),
    (("admin",), "timescale_rule", "timescale_rule.update", True),
    (("admin",), "closure_day", "closure_day.create", True),
    (("admin",), "calendar", "calendar.rebuild", True),
    (("admin",), "import", "data.import", True),
    (("admin",), "export", "ssda903.export", True),
    (("admin",), "database", "database.backup", True),
    # anything not listed is hidden, whatever the roles
    (("admin",), "panel_meeting", "user.create", False),
    (("admin",), None, "calendar.rebuild", False),
    (tuple(permissions.ROLE_CODES), "something_new", "user.create", False),
    (("admin",), "LADO_person", "user.create", False),  # the prefix is case-sensitive
    ((), "child", "child.create", False),
]


@pytest.mark.parametrize("roles, object_type, action, visible", RULE)
def test_the_rule(roles, object_type, action, visible):
    assert permissions.audit_values_visible(user(*roles), object_type, action) is visible
    reason = permissions.audit_withheld(user(*roles), object_type, action)
    assert (reason is None) is visible
    if not visible:
        assert reason in permissions.AUDIT_WITHHELD_TEXT.values()


def test_an_anonymous_viewer_sees_no_case_values():
    anonymous = SimpleNamespace(is_authenticated=False, role_codes=["admin", "lado"])
    assert not permissions.audit_values_visible(anonymous, "lado_person", "lado_person.update")
    assert not permissions.audit_values_visible(None, "child", "child.create")


def test_every_family_named_has_a_capability_and_a_text():
    families = {
        *permissions.AUDIT_ACTION_FAMILY.values(),
        *permissions.AUDIT_OBJECT_PREFIX_FAMILY.values(),
        *permissions.AUDIT_OBJECT_FAMILY.values(),
    } - {None}
    assert families <= set(permissions.RECORD_FAMILY_CAPABILITY)
    assert set(permissions.RECORD_FAMILY_CAPABILITY) | {permissions.AUDIT_UNKNOWN} <= set(
        permissions.AUDIT_WITHHELD_TEXT
    )


def _written_object_types() -> set[str]:
    """Every object type the code names when it writes an audit row or declares a read."""
    found = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'object_type="([a-z_]+)"', source))
        found |= set(re.findall(r'@reads\("([a-z_]+)"', source))
    return found


def test_every_object_type_the_code_writes_is_in_the_mapping():
    """A new kind of audit row is hidden until it is listed (the safe default); this test names
    it, so that whoever adds it decides whether it is a case record."""
    written = _written_object_types() | {"unknown_account", "lado_page"}  # a sign-in subject; the lifecycle's pages
    assert {"child", "review", "escalation", "lado_contact", "user", "closure_day", "database"} <= written
    unknown = {t for t in written if permissions.audit_family(t, "user.create") == permissions.AUDIT_UNKNOWN}
    assert unknown == set()
    case_types = {t for t in written if permissions.audit_family(t, "user.create") is not None}
    assert case_types == {
        "child",
        "care_period",
        "review",
        "iro_contact",
        "escalation",
        *{t for t in written if t.startswith("lado_")},
        *{t for t in written if t.startswith("panel_")},  # panel_case (and panel_meeting)
        "foster_household",
        "carer_review",
        "consultation_round",  # the people asked before a review (names, addresses) and their answers
        "consultation_respondent",
    }


def test_every_lado_action_is_in_the_lado_family():
    for action in ACTIONS:
        noun = action.partition(".")[0]
        if noun.startswith("lado_"):
            assert permissions.audit_family(noun, action) == "lado", action


def test_the_lado_query_selects_exactly_the_rows_the_rule_calls_lado(app):
    """The SQL condition of ``admin.queries.audit_page(family="lado")`` and ``audit_family``
    agree on every kind of row."""
    from tracker.admin import queries

    kinds = [(t, a) for (_, t, a, _) in RULE] + [("lado_", "user.create"), ("lado", "user.create"), ("xlado_", "x")]
    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with app.app_context():
        rows = [
            AuditEntry(at=at, actor="test", action=action, object_type=object_type, object_id=str(i), summary="")
            for i, (object_type, action) in enumerate(kinds)
        ]
        db.session.add_all(rows)
        db.session.flush()
        expected = {r.id for r in rows if permissions.audit_family(r.object_type, r.action) == "lado"}
        page = queries.audit_page(queries.AuditFilters(), family="lado", per_page=1000)
        assert {r.id for r in page.items} == expected
        assert len(expected) == 11
        db.session.rollback()
