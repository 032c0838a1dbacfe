"""Downloads of list pages (issue 12): CSV and XLSX of exactly the rows the page's filters
show, formula cells escaped, audited, and refused to a role that may not see the page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import String, literal, select

from tests.exports import assert_downloads_are_the_page, download
from tracker.core import worklist


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23", "PAGE_SIZE": 7}  # after every date of the small authority


@pytest.fixture
def login_as(login_as):
    """Test users of their own emails: the small authority's LADO is lado@example.org."""
    return lambda *roles, **fields: login_as(*roles, **{"email": f"{'+'.join(roles)}@exports.test", **fields})


def last_audit_row():
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()


@pytest.mark.parametrize(
    "query",
    ["", "?state=any", "?state=any&kind=review_minutes", "?state=overdue&overdue_by=365", "?owner=-&state=any"],
)
def test_the_worklist_download_is_the_filtered_page(app, small_authority, client_request, login_as, query):
    login_as("iro_manager")
    url = "/worklist/" + query
    # Due date is shown as "6 Dec 2025" and downloaded as a date: compare status, type and item
    count = assert_downloads_are_the_page(client_request, url, "#worklist", {1: "Status", 2: "Type", 3: "Item"})
    with app.app_context():
        row = last_audit_row()
        assert row.action == "list.export"
        assert row.object_type == "export"
        assert row.after["rows"] == count and row.after["format"] == "xlsx"
        assert row.after["filters"] == dict(pair.split("=") for pair in query[1:].split("&") if pair)


def test_the_page_links_its_downloads_with_its_filters(small_authority, client_request, login_as):
    login_as("iro_manager")
    page = client_request.get("/worklist/?state=any&kind=review_minutes&page=2")
    links = page.links("#downloads")
    assert set(links) == {"Download CSV", "Download XLSX (Excel)"}
    assert links["Download CSV"] == "/worklist/?state=any&kind=review_minutes&format=csv"
    empty = client_request.get("/worklist/?kind=review_minutes&due_to=1&due_to=1&due_to=1990")
    assert not empty.select("#downloads")  # nothing to download


def sign_in_as_officer(app, client, officer_id: str) -> None:
    """Sign in as the imported officer's account (officers.csv gives each QARO one)."""
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.officer_id == officer_id))
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True


def test_a_qaros_own_worklist_downloads_only_her_items(app, small_authority, client_request):
    sign_in_as_officer(app, client_request.client, "Q2")
    rows = download(client_request.client, "/worklist/mine?state=any", "csv")
    assert rows and set(rows[0]) == {"Due date", "Status", "Type", "Reference", "Item"}
    with app.app_context():
        mine = [i.ref for i in worklist.collect(dt.date(2026, 11, 23), owner="Q2")]
    assert [r["Reference"] for r in rows] == mine


def test_a_role_that_may_not_see_the_page_cannot_download_it(small_authority, client_request, login_as):
    login_as("qaro")
    download(client_request.client, "/worklist/", "csv", status=403)
    login_as("analyst")
    download(client_request.client, "/worklist/mine", "xlsx", status=403)


def test_an_unknown_format_is_a_bad_request(small_authority, client_request, login_as):
    login_as("iro_manager")
    client_request.get("/worklist/?format=pdf", status=400)


@pytest.fixture
def formula_kind():
    worklist.register_kind(
        "test_formula_item",
        "Test item",
        "children",
        lambda as_of: select(
            literal('=HYPERLINK("http://x")', String).label("ref"),
            literal("Q1", String).label("owner"),
            literal(dt.date(2026, 1, 1)).label("due_date"),
            literal("C1", String).label("record_ref"),
        ),
        record_type="child",
        describe=lambda row: "+SUM(A1:A2)",
        order=99,
    )
    yield
    worklist.KINDS.pop("test_formula_item", None)


def test_formula_cells_are_escaped_in_both_formats(app, client_request, login_as, formula_kind):
    login_as("iro_manager")
    for fmt in ("csv", "xlsx"):
        (row,) = download(client_request.client, "/worklist/?kind=test_formula_item&state=any", fmt)
        assert row["Reference"] == '\'=HYPERLINK("http://x")'
        assert row["Item"] == "'+SUM(A1:A2)"
        assert row["Due date"] == "2026-01-01"


# --- every other list page ---------------------------------------------------------------------------------

PERSONAL_HEADERS = ("Child", "Subject", "Subject reference", "Name", "Email", "Date of birth")


def _lado_contacts(app, _client_request=None):
    """Nine LADO contacts logged through the operations (each writes its ``lado_contact.create``
    row): two pages of the audit log's rows at 7 a page."""
    from tests.lado import factories
    from tracker.extensions import db

    with app.app_context():
        for day in range(1, 10):
            factories.contact(dt.date(2026, 10, day), person_name=f"Person {day}", subject_role="Coach")
        db.session.commit()


def _old_contacts(app, _client_request=None):
    """Contacts kept past their retention date (10 years, the subject's date of birth unknown)."""
    from tests.lado import factories
    from tracker.extensions import db

    with app.app_context():
        for year in (2014, 2015):
            factories.referral(dt.date(year, 3, 2), person_name=f"Person {year}")
        db.session.commit()


def _stage4_escalation(app, _client_request=None):
    from tests.escalations import factories
    from tracker.extensions import db

    with app.app_context():
        factories.escalation("C00001", stages=(("stage4", dt.date(2026, 11, 2)),), raised_by="Q1")
        factories.escalation("C00002", stages=(("stage4", dt.date(2026, 10, 1), dt.date(2026, 10, 5)),))
        db.session.commit()


def _search(url: str, data: dict):
    """Post a search the page keeps in the session (never in the URL)."""
    return lambda app, client_request: client_request.post(url, data)


def _record(row: dict) -> str:
    return f"{row['Record type']} {row['Record id']}"


def _who(row: dict) -> str:
    return f"{row['Who']} {row['Actor']}"


def _subject(row: dict) -> str:
    """A LADO list's subject cell: the name and the reference (the reference alone when there is
    no name)."""
    name, ref = row["Subject"], row["Subject reference"]
    return f"{name} ({ref})" if ref and name != ref else name


def _subject_and_role(row: dict) -> str:
    return f"{_subject(row)} {row['Subject role']}"


def _child(row: dict) -> str:
    name = row["Child's name"]
    return f"{name} ({row['Child']})" if name else row["Child"]


def _escalation(row: dict) -> str:
    return row["Escalation"] + (f" External: {row['External partner']}" if row["External partner"] else "")


AUDIT_COLUMNS = {1: _who, 2: lambda r: f"{r['Action']} {r['Action code']}", 3: _record, 4: "What happened"}
# (roles or an imported officer, the list's URL with filters, its table, page cell -> download column, setup)
LISTS = {
    "my children": ("Q2", "/children/?sort=name", "#caseload", {0: "Child", 1: "Reference", 3: "Recommendations outstanding"}, None),
    "all children": ("iro_manager", "/children/?scope=all&sort=contact", "#caseload", {0: "Child", 1: "Reference", 2: "QARO", 5: "Minutes outstanding"}, None),
    "a team's children": ("manager", "/children/?scope=team&team=North", "#caseload", {1: "Reference", 2: "QARO"}, None),
    "a QARO's children": ("iro_manager", "/children/?scope=qaro&officer=Q3&sort=ref", "#caseload", {1: "Reference", 2: "QARO"}, None),
    "team caseloads": ("iro_manager", "/children/team?team=South", "#team-table", {0: lambda r: f"{r['QARO']} : their children", 1: "Team", 2: "Children", 3: "Reviews overdue", 6: "IRO contacts overdue"}, None),
    "all escalations": ("manager", "/escalations/all?status=all", "#escalations-table", {0: _escalation, 1: _child, 3: "Areas of concern", 4: lambda r: f"{r['Raised by']} {r['Team']}", 5: "Days open"}, None),
    "closed escalations of a team": ("iro_manager", "/escalations/all?status=closed&team=North", "#escalations-table", {0: _escalation, 1: _child, 5: "Days open"}, None),
    "my escalations": ("Q2", "/escalations/mine?status=all", "#escalations-table", {0: _escalation, 1: _child, 3: "Areas of concern", 4: "Days open"}, None),
    "stage 4 escalations": ("qaro", "/escalations/stage4", "#stage4-table", {0: "Escalation", 1: _child, 2: "Current stage", 4: "Days open"}, _stage4_escalation),
    "LADO contacts": ("lado", "/lado/?sector=education", "#contacts", {0: "Contact", 2: "Sector", 3: _subject_and_role, 4: "Employer", 5: "Disposition"}, None),
    "open referrals": ("lado", "/lado/referrals", "#referrals", {0: "Referral", 2: _subject_and_role, 3: "Employer", 4: "Sector", 5: "Allocated", 7: "Status"}, None),
    "overdue actions": ("lado", "/lado/actions?view=overdue", "#actions", {0: "LADO who chases it", 1: "Action", 2: "Who does it", 3: "Referral", 4: _subject_and_role, 7: "Status"}, None),
    "people found": ("lado", "/lado/search", "#people", {0: "Reference", 1: "Name"}, _search("/lado/search", {"name": "P01"})),
    "LADO oversight": ("lado_manager", "/lado/oversight?state=any&kind=lado_action", "#oversight", {1: "Type", 2: "Item", 3: "Referral", 4: "LADO"}, None),
    "referrals to allocate": ("lado_manager", "/lado/queue", "#queue", {0: "Referral", 2: "Sector"}, None),
    "past retention": ("lado_manager", "/lado/retention", "#retention", {0: "Contact", 2: _subject, 3: "Referral"}, _old_contacts),
    "LADO audit log": ("lado_manager", "/lado/audit?action=lado_contact.create", "#audit-log", AUDIT_COLUMNS, _lado_contacts),
    "audit log": ("admin", "/admin/audit?action=lado_contact.create", "#audit-log", AUDIT_COLUMNS, _lado_contacts),
    "audit log, LADO values": ("admin+lado", "/admin/audit?object_type=lado_contact", "#audit-log", AUDIT_COLUMNS, _lado_contacts),
    "users": ("admin", "/admin/users", "#users", {0: "Name", 1: "Email", 2: "Officer ID", 3: "Team"}, _search("/admin/users", {"role": "qaro"})),
}  # fmt: skip
# the downloads that hold LADO records: a read of them, and an export row only LADO roles read in full
LADO_LISTS = {name for name, case in LISTS.items() if case[1].startswith("/lado/")} | {"audit log, LADO values"}


def sign_in(app, client, login_as, who: str) -> None:
    if who[0] == "Q" and who[1:].isdigit():
        sign_in_as_officer(app, client, who)
    else:
        login_as(*("admin", "lado_manager") if who == "admin+lado" else (who,))


def audit_rows(action: str) -> list:
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.mark.parametrize("name", list(LISTS))
def test_each_list_downloads_what_its_page_shows_audited(app, small_authority, client_request, login_as, name):
    who, url, selector, columns, setup = LISTS[name]
    sign_in(app, client_request.client, login_as, who)
    if setup:
        setup(app, client_request)
    count = assert_downloads_are_the_page(client_request, url, selector, columns)
    assert count, "a list of nothing proves little"
    rows = download(client_request.client, url, "csv")
    personal = {r[h] for r in rows for h in PERSONAL_HEADERS if r.get(h)}
    with app.app_context():
        *_, xlsx, csv_ = audit_rows("list.export")
        for row, fmt in ((xlsx, "xlsx"), (csv_, "csv")):
            assert row.object_type == ("lado_export" if name in LADO_LISTS else "export")
            assert set(row.after) == {"list", "format", "filters", "rows"}
            assert (row.after["format"], row.after["rows"]) == (fmt, count)
            assert row.summary == f"{row.after['list']} downloaded as {fmt.upper()}: {count} rows"
            assert not any(value in row.summary + str(row.after) for value in personal)
        reads = audit_rows("lado_record.read")
        if name in LADO_LISTS:  # each download is a read of every record it holds, as a page is
            read = reads[-1]
            assert read.after["total"] == count == len(set(read.after["refs"])) and "page" not in read.after
            assert read.id > csv_.id and read.user_id == csv_.user_id
            assert not any(value in read.summary + str(read.after) for value in personal)
        else:
            assert not reads


def test_the_lists_link_their_downloads_with_their_filters(small_authority, client_request, login_as):
    login_as("iro_manager")
    page = client_request.get("/escalations/all?status=all&team=North&page=2")
    assert page.links("#downloads") == {
        "Download CSV": "/escalations/all?status=all&team=North&format=csv",
        "Download XLSX (Excel)": "/escalations/all?status=all&team=North&format=xlsx",
    }
    assert client_request.get("/children/team?team=North").links("#downloads")["Download CSV"] == (
        "/children/team?team=North&format=csv"
    )
    assert not client_request.get("/escalations/all?stage=stage5").select("#downloads")  # nothing to download
    login_as("lado")
    links = client_request.get("/lado/?sector=education&date_from=1&date_from=1&date_from=2022").links("#downloads")
    assert links["Download XLSX (Excel)"] == (
        "/lado/?date_from=1&date_from=1&date_from=2022&sector=education&format=xlsx"
    )


def test_all_children_downloads_the_list_it_leads_to(small_authority, client_request, login_as):
    login_as("iro_manager")
    response = client_request.client.get("/children/all?format=xlsx")
    assert response.status_code == 302 and response.headers["Location"] == "/children/?scope=all&format=xlsx"


@pytest.mark.parametrize(
    "role, url",
    [
        ("analyst", "/children/"),
        ("lado", "/children/all"),
        ("qaro", "/children/team"),
        ("qaro", "/escalations/all"),
        ("lado", "/escalations/mine"),
        ("board", "/escalations/stage4"),
        ("qaro", "/lado/"),
        ("iro_manager", "/lado/referrals"),
        ("admin", "/lado/actions"),
        ("manager", "/lado/search"),
        ("lado", "/lado/oversight"),
        ("lado", "/lado/queue"),
        ("lado", "/lado/retention"),
        ("lado", "/lado/audit"),
        ("admin", "/lado/audit"),
        ("lado_manager", "/admin/audit"),
        ("iro_manager", "/admin/users"),
    ],
)
def test_a_role_refused_the_page_is_refused_its_download(app, small_authority, client_request, login_as, role, url):
    login_as(role)
    client_request.get(url, status=403)
    for fmt in ("csv", "xlsx"):
        download(client_request.client, url, fmt, status=403)
    with app.app_context():
        assert audit_rows("list.export") == []


def test_the_audit_log_download_withholds_what_the_page_withholds(app, small_authority, client_request, login_as):
    _lado_contacts(app)
    login_as("admin")
    url = "/admin/audit?object_type=lado_contact"
    page = client_request.get(url)
    rows = download(client_request.client, url, "csv")
    assert (
        len(rows) == 9 and page.texts("#audit-log tbody td[colspan]") == ["Details are visible to LADO roles only"] * 7
    )
    assert {(r["What happened"], r["Before"], r["After"]) for r in rows} == {
        ("Details are visible to LADO roles only", "", "")
    }
    assert not any("Person" in value or "Coach" in value for r in rows for value in r.values())
    login_as("admin", "lado_manager")  # holds the LADO role: sees the values, on the page and in the file
    rows = download(client_request.client, url, "xlsx")
    assert all(r["What happened"].startswith("Contact ") and "Coach" in r["After"] for r in rows)
    with app.app_context():
        read = audit_rows("lado_record.read")[-1]
        assert read.object_id == "admin.audit" and sorted(read.after["refs"]) == sorted(r["Record id"] for r in rows)


def test_a_search_kept_in_the_session_downloads_its_results_and_only_then(
    app, small_authority, client_request, login_as
):
    login_as("lado")
    download(client_request.client, "/lado/search", "csv", status=404)  # no search: nothing found
    client_request.post("/lado/search", {"name": "P011"})
    rows = download(client_request.client, "/lado/search", "csv")
    assert rows and all(r["Reference"].startswith("P011") for r in rows)
    with app.app_context():
        (export,) = audit_rows("list.export")
        assert export.after["filters"] == {"by": ["name"]} and "P011" not in export.summary + str(export.after)
        read = audit_rows("lado_record.read")[-1]
        assert read.after["by"] == ["name"] and read.after["total"] == len(rows)


FORMULAS = {"=": '=HYPERLINK("http://x","y")', "+": "+SUM(1,2)", "-": "-2+3", "@": "@SUM(A1)"}


def test_typed_and_imported_formulas_are_escaped_in_every_list(app, small_authority, client_request, login_as):
    from tests.reviews import factories
    from tracker.extensions import db

    with app.app_context():  # as an import or the child form would store them
        factories.child("C90001", "2026-01-05", first_name=FORMULAS["-"], last_name=None, officer_id="Q1")
        db.session.commit()
    sign_in_as_officer(app, client_request.client, "Q1")
    client_request.post(
        "/escalations/new",
        {"child_id": "C00001", "stage": "informal", "started_date": ["2", "11", "2026"], "areas": "care_plan",
         "external_partner": FORMULAS["="]},
    )  # fmt: skip
    login_as("lado")
    client_request.post(
        "/lado/contacts/new",
        {"contact_date": ["2", "11", "2026"], "employer_sector": "sport", "disposition": "advice", "person_name": FORMULAS["@"], "subject_role": FORMULAS["+"],
         "organisation_name": FORMULAS["="]},
    )  # fmt: skip
    login_as("iro_manager", "lado")
    for fmt in ("csv", "xlsx"):
        child = [r for r in download(client_request.client, "/children/?scope=all", fmt) if r["Reference"] == "C90001"]
        assert child[0]["Child"] == "'" + FORMULAS["-"]
        (partner,) = [r for r in download(client_request.client, "/escalations/all", fmt) if r["External partner"]]
        assert partner["External partner"] == "'" + FORMULAS["="]
        contact = download(client_request.client, "/lado/?date_from=2&date_from=11&date_from=2026", fmt)[0]
        assert (contact["Subject"], contact["Subject role"], contact["Employer"]) == (
            "'" + FORMULAS["@"], "'" + FORMULAS["+"], "'" + FORMULAS["="]
        )  # fmt: skip
