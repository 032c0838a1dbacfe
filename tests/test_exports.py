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
            literal("=HYPERLINK(\"http://x\")", String).label("ref"),
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
        assert row["Reference"] == "'=HYPERLINK(\"http://x\")"
        assert row["Item"] == "'+SUM(A1:A2)"
        assert row["Due date"] == "2026-01-01"
