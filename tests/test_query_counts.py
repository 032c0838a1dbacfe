"""No page issues a query per row (issue 18): the SQL statements behind each main page are
counted on a generated authority, with pages of 5 rows and of 50, and on the pages of the child
with the most records and the child with the fewest. A page's count is under a fixed ceiling and
does not grow with the rows shown — a query per child, review or referral would add dozens. The
timings are in ``make bench`` (docs/benchmarks.md), not here."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from tracker.board import operations
from tracker.core import worklist
from tracker.extensions import db

# the pages a busy user opens most, with the most that each may issue (the session, the user, the
# permissions, the audit row of a read, the page's few set-based queries and its filters' choices)
PAGES = {
    "/": 40,
    "/worklist/": 25,
    "/worklist/?state=any": 25,
    "/worklist/mine?state=any": 25,
    "/children/": 25,
    "/children/team": 25,
    "/children/consultations/": 25,
    "/escalations/all": 25,
    "/lado/": 25,
    "/lado/referrals": 25,
    "/lado/oversight?state=any": 25,
    "/panels/": 25,
    "/kpis/": 25,
}
BOARD_LIVE = 120  # six months computed: one query set per indicator family and month, whatever the rows
BOARD_FROZEN = 30  # six frozen months: read from their snapshots
CHILD_PAGE = 40
ROLES = ("manager", "iro_manager", "lado_manager", "adm", "panel_admin", "qaro")


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23", "PAGE_SIZE": 50}


def _sign_in(app, client) -> str:
    """Signs in as a QARO of the authority who also holds the managers' roles (every list at its
    longest); returns the officer id."""
    from tracker.auth.models import User
    from tracker.reviews.models import Child

    with app.app_context():
        officer = db.session.scalar(
            select(Child.iro_officer_id)
            .where(Child.iro_officer_id.is_not(None))
            .group_by(Child.iro_officer_id)
            .order_by(func.count().desc(), Child.iro_officer_id)
            .limit(1)
        )
        user = db.session.scalar(select(User).where(User.officer_id == officer))
        user.set_roles(ROLES)
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True
    return officer


def _children_by_records(app) -> tuple[str, str]:
    """The child with the most reviews and IRO contacts, and a child with the fewest."""
    from tracker.reviews.models import Child, IroContact, Review

    with app.app_context():
        records = (
            select(Child.child_id)
            .outerjoin(Review, Review.child_pk == Child.id)
            .outerjoin(IroContact, IroContact.child_pk == Child.id)
            .group_by(Child.id, Child.child_id)
        )
        most = db.session.scalar(records.order_by(func.count().desc(), Child.child_id).limit(1))
        fewest = db.session.scalar(records.order_by(func.count(), Child.child_id).limit(1))
    return most, fewest


def _count(app, client, urls) -> dict[str, int]:
    """The number of SQL statements each page issues (each must answer 200)."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    counts = {}
    event.listen(engine, "before_cursor_execute", count)
    try:
        for url in urls:
            statements.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def test_no_page_issues_a_query_per_row(app, client, runner, import_folder, tmp_path):
    folder = tmp_path / "authority"
    result = runner.invoke(args=["generate-data", str(folder), "--children", "120", "--years", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    import_folder(folder)
    _sign_in(app, client)
    app.config["PAGE_SIZE"] = 5
    short = _count(app, client, PAGES)
    app.config["PAGE_SIZE"] = 50
    long = _count(app, client, PAGES)
    over = {url: n for url, n in long.items() if n > PAGES[url]}
    assert not over, f"pages over their ceiling of queries: {over}"
    # a worklist words its page's items with one query per kind shown: bounded by the kinds
    allowance = {url: len(worklist.KINDS) if "worklist" in url or "oversight" in url else 0 for url in PAGES}
    grown = {url: (short[url], long[url]) for url in PAGES if long[url] > short[url] + allowance[url]}
    assert not grown, f"pages whose queries grow with the rows shown (5 rows, 50 rows): {grown}"

    (live,) = _count(app, client, ["/board/"]).values()
    assert live <= BOARD_LIVE
    with app.app_context():
        month = dt.date(2026, 10, 1)  # the last complete month on 23 November: the page's default
        for _back in range(6):
            operations.freeze_month(month)
            month = (month - dt.timedelta(days=1)).replace(day=1)
        db.session.commit()
    (frozen,) = _count(app, client, ["/board/"]).values()
    assert frozen <= BOARD_FROZEN, (live, frozen)

    most, fewest = _children_by_records(app)
    child = _count(app, client, [f"/children/{most}", f"/children/{fewest}"])
    assert child[f"/children/{most}"] <= CHILD_PAGE
    assert child[f"/children/{most}"] <= child[f"/children/{fewest}"] + 2, child  # not one query per record
