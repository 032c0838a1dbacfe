"""The due-item registry (interchange.md §3): the ``due-items`` command, ``collect`` and
``for_record``, the worklist pages and the home page's preview, on two made-up kinds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter

import pytest
from sqlalchemy import Date, String, literal, select, union_all

from tracker.core import worklist
from tracker.core.calendar import add_working_days

D = dt.date.fromisoformat
AS_OF = D("2026-01-05")


@pytest.fixture
def app_config():
    return {"TODAY": AS_OF.isoformat(), "PAGE_SIZE": 3}


# (ref, owner, due_date): open items of a made-up kind, each on the page of child <ref>
CHILD_ITEMS = [
    ("C3", "Q1", AS_OF + dt.timedelta(days=60)),
    ("C1", "Q1", AS_OF - dt.timedelta(days=3)),
    ("C2", "Q2", AS_OF),
    ("C4", "Q2", add_working_days(AS_OF, 10)),
    ("C5", "Q3", AS_OF - dt.timedelta(days=30)),
    ("C6", "", AS_OF - dt.timedelta(days=1)),  # not allocated
    ("C7", "Q1", None),  # no due date: not an item
]
LADO_ITEMS = [("L1", "L9", AS_OF - dt.timedelta(days=2))]


def rows_query(rows):
    """A set-based query over literal rows, with the columns the registry reads: ``ref``,
    ``owner``, ``due_date``, ``record_ref`` (the item's own ref here)."""
    selects = [
        select(
            literal(ref, String).label("ref"),
            literal(owner, String).label("owner"),
            literal(due, Date).label("due_date"),
            literal(ref, String).label("record_ref"),
        )
        for ref, owner, due in rows
    ]
    return select(union_all(*selects).subquery())


@pytest.fixture
def fake_kinds():
    """Registers two test kinds for the test and removes them afterwards. Yields the refs of
    the rows the database returned (``describe`` is called for each row fetched)."""
    described = []

    def describe(prefix):
        def _describe(row):
            described.append(row.ref)
            return f"{prefix} {row.ref}"

        return _describe

    worklist.register_kind(
        "test_child_item",
        "Test child item",
        "children",
        lambda as_of: rows_query(CHILD_ITEMS),
        record_type="child",
        describe=describe("Child"),
        order=1,
    )
    worklist.register_kind(
        "test_lado_item",
        "Test LADO item",
        "lado",
        lambda as_of: rows_query(LADO_ITEMS),
        record_type="lado_referral",
        describe=describe("Referral"),
        order=2,
    )
    yield described
    worklist.KINDS.pop("test_child_item", None)
    worklist.KINDS.pop("test_lado_item", None)


def _registered_only(items):
    return [i for i in items if i["kind"].startswith("test_")]


def test_register_kind_refuses_an_unknown_family():
    with pytest.raises(ValueError, match="unknown record family"):
        worklist.register_kind(
            "test_bad", "Bad", "pets", lambda as_of: rows_query(LADO_ITEMS), record_type="child", describe=str
        )
    assert "test_bad" not in worklist.KINDS


def test_due_items_on_an_empty_database(app, runner):
    result = runner.invoke(args=["due-items", "--as-of", "2026-11-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"as_of": "2026-11-20", "items": []}
    result = runner.invoke(args=["due-items", "--as-of", "2026-11-20", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["kind,ref,owner,due_date,state"]


def test_due_items_as_of_defaults_to_today(app, runner):
    result = runner.invoke(args=["due-items"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["as_of"] == AS_OF.isoformat()


def test_due_items_refuses_a_bad_date(app, runner):
    result = runner.invoke(args=["due-items", "--as-of", "2026-02-30"])
    assert result.exit_code == 2 and "'2026-02-30' is not a date in the form YYYY-MM-DD" in result.output


def test_due_items_sorted_with_states(app, runner, audit_rows, fake_kinds):
    result = runner.invoke(args=["due-items", "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["as_of"] == AS_OF.isoformat()
    items = _registered_only(doc["items"])
    assert [(i["kind"], i["ref"], i["owner"], i["state"]) for i in items] == [
        ("test_child_item", "C5", "Q3", "overdue"),
        ("test_child_item", "C1", "Q1", "overdue"),
        ("test_lado_item", "L1", "L9", "overdue"),
        ("test_child_item", "C6", "", "overdue"),
        ("test_child_item", "C2", "Q2", "due_soon"),  # due today is not overdue
        ("test_child_item", "C4", "Q2", "due_soon"),  # due in 10 working days
        ("test_child_item", "C3", "Q1", "upcoming"),
    ]
    assert [i["due_date"] for i in items] == sorted(i["due_date"] for i in items)
    assert set(items[0]) == {"kind", "ref", "owner", "due_date", "state"}
    assert items[0]["due_date"] == (AS_OF - dt.timedelta(days=30)).isoformat()

    # a later as-of date changes the states, not the items
    result = runner.invoke(args=["due-items", "--as-of", "2026-03-10", "--format", "json"])
    later = _registered_only(json.loads(result.output)["items"])
    assert [i["ref"] for i in later] == [i["ref"] for i in items]
    assert [i["state"] for i in later] == ["overdue"] * 7
    assert [(e.actor, e.summary) for e in audit_rows("due_items.export")] == [
        ("cli:due-items", "due-items as of 2026-01-05"),
        ("cli:due-items", "due-items as of 2026-03-10"),
    ]


def test_due_items_owner_filter_and_csv(app, runner, fake_kinds):
    result = runner.invoke(args=["due-items", "--as-of", AS_OF.isoformat(), "--owner", "Q1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["kind"], r["ref"], r["owner"], r["state"]) for r in rows] == [
        ("test_child_item", "C1", "Q1", "overdue"),
        ("test_child_item", "C3", "Q1", "upcoming"),
    ]
    assert fake_kinds == []  # due-items streams the items' columns: none is worded
    with app.app_context():
        worklist.collect(AS_OF, owner="Q1")
    assert sorted(fake_kinds) == ["C1", "C3"]  # the database filtered the owner: no other row was fetched


def test_collect_filters(app, fake_kinds, make_user):
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North")
    make_user("south@example.org", ["qaro"], officer_id="Q2", team="South")
    with app.app_context():

        def refs(**filters):
            return [i.ref for i in worklist.collect(AS_OF, **filters)]

        assert refs(kinds=["test_lado_item"]) == ["L1"]
        assert refs(kinds=["test_child_item"], states=["overdue"]) == ["C5", "C1", "C6"]
        assert refs(kinds=["test_child_item"], states=["due_soon", "upcoming"]) == ["C2", "C4", "C3"]
        assert refs(team="North") == ["C1", "C3"]
        assert refs(team="South", states=["due_soon"]) == ["C2", "C4"]
        assert refs(owner="") == ["C6"]  # the unallocated queue
        assert refs(kinds=["test_child_item"], record_refs=["C4", "C1"]) == ["C1", "C4"]
        assert refs(refs=["C2", "L1"]) == ["L1", "C2"]
        items = worklist.collect(AS_OF, owner="Q1")
        assert [(i.label, i.url, i.team, i.record_type, i.record_ref) for i in items] == [
            ("Child C1", "/children/C1", "North", "child", "C1"),
            ("Child C3", "/children/C3", "North", "child", "C3"),
        ]
        (lado,) = worklist.collect(AS_OF, kinds=["test_lado_item"])
        assert (lado.kind_label, lado.url, lado.team) == ("Test LADO item", "/lado/referrals/L1", None)


def test_a_page_is_counted_ordered_and_worded_in_the_database(app, fake_kinds, make_user):
    """``collect_page`` gives exactly ``collect``'s list cut into pages (the same order, states,
    labels and teams), and words only the items of the page asked for."""
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North")
    with app.app_context():
        for filters in ({}, {"states": ["overdue"]}, {"owner": "Q1"}, {"kinds": ["test_child_item"]}):
            every = [i for i in worklist.collect(AS_OF, **filters) if i.kind.startswith("test_")]
            kinds = filters.get("kinds") or ["test_child_item", "test_lado_item"]
            paged = []
            for number in range(1, -(-len(every) // 2) + 1):  # every page, once
                fake_kinds.clear()
                page = worklist.collect_page(AS_OF, number, 2, **{**filters, "kinds": kinds})
                assert page.total == len(every)
                assert sorted(fake_kinds) == sorted(i.ref for i in page.items)  # only the page is worded
                paged += page.items
            assert paged == every
        page = worklist.collect_page(AS_OF, 9, 2, kinds=["test_child_item"])  # past the end: the last page
        assert (page.page, [i.ref for i in page.items]) == (3, ["C4", "C3"])
        assert worklist.collect_page(AS_OF, 1, 2, kinds=["no_such_kind"]).total == 0


def test_counted_gives_the_lists_counts_without_wording_it(app, fake_kinds, make_user):
    """``counted`` (the home page's counts by state, a manager's by officer, kind and state) equals
    counting ``collect``'s list, for every filter, and words nothing."""
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North")
    kinds = ["test_child_item", "test_lado_item"]
    with app.app_context():
        for filters in ({}, {"states": ["overdue", "due_soon"]}, {"owner": "Q1"}, {"team": "North"}):
            every = worklist.collect(AS_OF, kinds=kinds, **filters)
            fake_kinds.clear()
            by_state = worklist.counted(AS_OF, ("state",), kinds=kinds, **filters)
            assert by_state == Counter((i.state.value,) for i in every) and by_state
            by_owner = worklist.counted(AS_OF, ("owner", "kind", "state"), kinds=kinds, **filters)
            assert by_owner == Counter((i.owner, i.kind, i.state.value) for i in every)
            assert fake_kinds == []
        assert worklist.counted(AS_OF, ("state",), kinds=["no_such_kind"]) == Counter()


def test_items_due_the_same_day_are_ordered_by_kind_then_reference_by_code_point(app):
    """Ties on the due date sort as Python sorts strings (upper case before lower, ``-`` before
    digits) on every database, whatever the server's locale: SQL paging and ``collect`` agree."""
    same_day = [(ref, "Q1", AS_OF) for ref in ("b-2", "B10", "b2", "B9", "a_1", "A-1")]
    worklist.register_kind(
        "test_same_day",
        "Same day",
        "children",
        lambda as_of: rows_query(same_day),
        record_type="child",
        describe=lambda row: row.ref,
    )
    try:
        with app.app_context():
            listed = [i.ref for i in worklist.collect(AS_OF, kinds=["test_same_day"])]
            paged = [i.ref for i in worklist.collect_page(AS_OF, 1, 10, kinds=["test_same_day"]).items]
            streamed = [i["ref"] for i in worklist.stream(AS_OF, kinds=["test_same_day"])]
    finally:
        worklist.KINDS.pop("test_same_day", None)
    assert listed == paged == streamed == sorted(ref for ref, _owner, _due in same_day)


def test_for_record_gives_the_deadlines_on_a_record_page(app, fake_kinds, make_user):
    manager = make_user("m@example.org", ["manager"])
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        (item,) = worklist.for_record("child", "C4", AS_OF)
        assert (item.kind, item.ref, item.due_date, item.state.value) == (
            "test_child_item",
            "C4",
            add_working_days(AS_OF, 10),
            "due_soon",
        )
        assert [i.ref for i in worklist.for_record("lado_referral", "L1", AS_OF)] == ["L1"]
        assert worklist.for_record("child", "L1", AS_OF) == []
        assert worklist.for_record("child", "C7", AS_OF) == []  # no due date
        assert worklist.for_record("no_such_record", "C4", AS_OF) == []
        user = db.session.get(User, manager.id)
        assert worklist.for_record("lado_referral", "L1", AS_OF, user=user) == []  # not the manager's family


def test_collect_shows_only_the_families_the_user_may_see(app, fake_kinds, make_user):
    manager = make_user("m@example.org", ["manager"])
    lado = make_user("l@example.org", ["lado_manager"])
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        def kinds(user_id):
            user = db.session.get(User, user_id)
            return {i.kind for i in worklist.collect(AS_OF, user=user) if i.kind.startswith("test_")}

        assert kinds(manager.id) == {"test_child_item"}
        assert kinds(lado.id) == {"test_lado_item"}


def test_items_for_a_user_are_their_own(app, fake_kinds, make_user):
    q1 = make_user("q1@example.org", ["qaro"], officer_id="Q1")
    nobody = make_user("n@example.org", ["qaro"])
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        user = db.session.get(User, q1.id)
        assert [i.ref for i in worklist.items_for(user, AS_OF) if i.kind.startswith("test_")] == ["C1", "C3"]
        assert [i.ref for i in worklist.items_for(user, AS_OF, state="upcoming")] == ["C3"]
        assert worklist.items_for(db.session.get(User, nobody.id), AS_OF) == []


def shown(page) -> list[str]:
    """The item refs in the worklist table, in order (the Item column reads "Child C1")."""
    return [row[3].split()[-1] for row in page.table("#worklist")] if page.select("#worklist") else []


def test_manager_worklist_defaults_to_overdue_and_filters(app, client_request, login_as, make_user, fake_kinds):
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North", name="Nora North")
    make_user("south@example.org", ["qaro"], officer_id="Q2", team="South", name="Sam South")
    login_as("manager")
    page = client_request.get("/worklist/")
    assert page.h1 == "All overdue items"
    assert page.table("#worklist") == [  # no LADO items for a manager
        ["6 Dec 2025", "Overdue", "Test child item", "Child C5", "Q3", ""],
        ["2 Jan 2026", "Overdue", "Test child item", "Child C1", "Nora North", "North"],
        ["4 Jan 2026", "Overdue", "Test child item", "Child C6", "Not allocated", ""],
    ]
    # items link to the page of their record
    assert page.links("#worklist") == {f"Child C{n}": f"/children/C{n}" for n in (5, 1, 6)}

    assert shown(client_request.get("/worklist/?state=any")) == ["C5", "C1", "C6"]  # page 1 of 2 (PAGE_SIZE 3)
    second = client_request.get("/worklist/?state=any&page=2")
    assert second.h1 == "Worklist"
    assert shown(second) == ["C2", "C4", "C3"]
    assert second.text_of("#worklist caption") == "Items 4 to 6 of 6"
    assert shown(client_request.get("/worklist/?state=due_soon")) == ["C2", "C4"]
    assert shown(client_request.get("/worklist/?state=any&team=South")) == ["C2", "C4"]
    assert shown(client_request.get("/worklist/?state=any&owner=Q1")) == ["C1", "C3"]
    assert shown(client_request.get("/worklist/?state=any&kind=test_child_item&team=North")) == ["C1", "C3"]
    empty = client_request.get("/worklist/?state=overdue&team=South")
    assert shown(empty) == [] and empty.text_of("#worklist-empty") == (
        "There are no overdue items matching these filters."
    )
    # a kind the user may not see is not a valid choice
    bad = client_request.get("/worklist/?kind=test_lado_item")
    assert bad.errors == ["Not a valid choice."] and bad.field_error("kind") == "Not a valid choice."
    assert "L1" not in shown(bad) and "Referral L1" not in bad.text


def test_the_worklist_filters_by_how_long_overdue_and_by_due_dates(app, client_request, login_as, fake_kinds):
    """Old overdue items can be kept out (or looked at alone): "overdue by more than 30 days"
    and a due-date range typed in GOV.UK date boxes; the filters survive paging."""
    login_as("manager")
    assert shown(client_request.get("/worklist/?overdue_by=7")) == ["C5"]  # due 6 Dec: overdue by 30 days
    assert shown(client_request.get("/worklist/?overdue_by=30")) == []  # not more than 30
    # due from 3 January 2026 to 5 January 2026, any state (the three boxes of each date)
    ranged = client_request.get(
        "/worklist/?state=any&due_from=3&due_from=1&due_from=2026&due_to=5&due_to=1&due_to=2026"
    )
    assert shown(ranged) == ["C6", "C2"]
    assert [ranged.value(f"due_from-{part}") for part in ("day", "month", "year")] == ["3", "1", "2026"]
    # "before 2024"-style: everything due up to a date, across pages (PAGE_SIZE 3)
    first = client_request.get("/worklist/?state=any&due_to=1&due_to=3&due_to=2026")
    assert shown(first) == ["C5", "C1", "C6"]
    second = client_request.get(
        first.links(".govuk-pagination")["Next"]
        if "Next" in first.links(".govuk-pagination")
        else first.one(".govuk-pagination__next a")["href"]
    )
    assert shown(second) == ["C2", "C4"]
    bad = client_request.get("/worklist/?due_from=5&due_from=1&due_from=2026&due_to=1&due_to=1&due_to=2026")
    assert bad.errors == ["The 'due on or before' date must be the same as or after the 'due on or after' date"]
    assert client_request.get("/worklist/?due_from=31&due_from=2&due_from=2026").field_error("due_from")


def test_lado_manager_sees_lado_items(app, client_request, login_as, fake_kinds):
    login_as("lado_manager")
    page = client_request.get("/worklist/")
    assert shown(page) == ["L1"]
    assert page.links("#worklist") == {"Referral L1": "/lado/referrals/L1"}


def test_my_worklist(app, client_request, login_as, fake_kinds):
    login_as("qaro", officer_id="Q1")
    page = client_request.get("/worklist/mine")
    assert page.h1 == "My worklist"
    assert page.table("#worklist") == [
        ["2 Jan 2026", "Overdue", "Test child item", "Child C1"],
        ["6 Mar 2026", "Upcoming", "Test child item", "Child C3"],
    ]
    assert shown(client_request.get("/worklist/mine?state=overdue")) == ["C1"]


def test_my_worklist_without_an_officer_id(app, client_request, login_as, fake_kinds):
    login_as("qaro")
    page = client_request.get("/worklist/mine")
    assert page.text_of("#worklist-empty").startswith("Your account is not linked to an officer ID")


def test_empty_worklist(app, client_request, login_as):
    login_as("manager")
    assert client_request.get("/worklist/").text_of("#worklist-empty") == "There are no overdue items."


WORKLIST_ACCESS = [
    *[("/worklist/", role, 403) for role in ["qaro", "lado", "panel_admin", "adm", "analyst", "board", "admin"]],
    *[("/worklist/", role, 200) for role in ["iro_manager", "manager", "lado_manager"]],
    *[("/worklist/mine", role, 403) for role in ["analyst", "board", "admin", "manager"]],
    *[("/worklist/mine", role, 200) for role in ["qaro", "lado", "panel_admin", "adm", "iro_manager"]],
]


@pytest.mark.parametrize("url, role, status", WORKLIST_ACCESS)
def test_worklist_access(app, client_request, login_as, url, role, status):
    login_as(role)
    client_request.get(url, status=status)


def test_due_items_csv_escapes_spreadsheet_formulas(app, runner):
    """interchange.md §4: a cell a spreadsheet would evaluate is neutralised, in every column."""
    worklist.register_kind(
        "test_formula_item",
        "Test formula item",
        "children",
        lambda as_of: rows_query([('=HYPERLINK("http://x")', "+Q1", AS_OF), ("@SUM(A1)", "-1", AS_OF)]),
        record_type="child",
        describe=lambda row: "x",
        order=1,
    )
    try:
        result = runner.invoke(args=["due-items", "--as-of", AS_OF.isoformat(), "--format", "csv"])
        json_result = runner.invoke(args=["due-items", "--as-of", AS_OF.isoformat(), "--format", "json"])
    finally:
        worklist.KINDS.pop("test_formula_item", None)
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.DictReader(io.StringIO(result.output)) if r["kind"] == "test_formula_item"]
    assert sorted((r["ref"], r["owner"]) for r in rows) == [('\'=HYPERLINK("http://x")', "'+Q1"), ("'@SUM(A1)", "'-1")]
    items = [i for i in json.loads(json_result.output)["items"] if i["kind"] == "test_formula_item"]
    # JSON is data, not a spreadsheet: unchanged
    assert sorted((i["ref"], i["owner"]) for i in items) == [('=HYPERLINK("http://x")', "+Q1"), ("@SUM(A1)", "-1")]


def test_the_manager_worklist_shows_no_lado_item_and_audits_nothing(
    app, client_request, login_as, audit_rows, fake_kinds
):
    login_as("manager")
    assert "L1" not in shown(client_request.get("/worklist/?state=any"))
    assert audit_rows("lado_record.read") == []


def test_a_lado_item_shown_on_a_worklist_is_an_audited_read(app, client_request, login_as, audit_rows, fake_kinds):
    user = login_as("lado_manager")
    assert shown(client_request.get("/worklist/")) == ["L1"]
    (entry,) = audit_rows("lado_record.read")
    assert (entry.user_id, entry.object_type, entry.object_id, entry.after) == (
        user.id,
        "lado_page",
        "worklist.index",
        {"refs": ["test_lado_item:L1"]},
    )


def test_the_home_page_previews_the_users_own_items(app, client_request, login_as, audit_rows, fake_kinds):
    login_as("qaro", officer_id="Q1")
    page = client_request.get("/")
    assert page.h1 == "Test user My children and worklist"
    assert "As of 5 January 2026: 1 overdue, 0 due soon and 1 upcoming." in page.text
    assert page.table() == [  # each item in its kind's words (a child's kinds name the child)
        ["Test child item", "Child C1", "2 Jan 2026", "Overdue"],
        ["Test child item", "Child C3", "6 Mar 2026", "Upcoming"],
    ]
    assert page.links("table") == {"Child C1": "/children/C1", "Child C3": "/children/C3"}
    assert audit_rows("lado_record.read") == []


def test_a_managers_home_page_counts_the_teams_items_by_officer_and_kind_with_links(
    app, client_request, login_as, make_user, fake_kinds
):
    """The head of service (and the IRO manager) see what is overdue and due soon across the
    team, by officer and kind, each count a link to the worklist filtered to exactly those."""
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North", name="Nora North")
    make_user("south@example.org", ["qaro"], officer_id="Q2", team="South", name="Sam South")
    login_as("manager")
    home = client_request.get("/")
    assert [
        [who, kind, overdue.split()[0], soon.split()[0]] for who, kind, overdue, soon in home.table("#team-counts")
    ] == [
        ["Nora North", "Test child item", "1", "0"],
        ["Q3", "Test child item", "1", "0"],  # an officer id without a user account
        ["Sam South", "Test child item", "0", "2"],
        ["Not allocated", "Test child item", "1", "0"],
    ]  # by name, the unallocated last; no LADO items: a manager may not see them
    links = home.hrefs("#team-counts")
    assert len(links) == 4
    for href in links:  # each count is the number of items its link lists
        count = next(a.get_text(" ", strip=True).split()[0] for a in home.select("#team-counts a") if a["href"] == href)
        assert len(shown(client_request.get(href))) == int(count), href
    assert shown(client_request.get("/worklist/?owner=-&state=overdue")) == ["C6"]
    login_as("qaro", officer_id="Q9", email="q9@example.org")
    assert client_request.get("/").select("#team-counts, #team-none") == []  # a QARO's home has no team table


def test_a_lado_item_on_the_home_page_is_an_audited_read(app, client_request, login_as, audit_rows, fake_kinds):
    login_as("lado", officer_id="L9")
    page = client_request.get("/")
    assert page.table() == [["Test LADO item", "Referral L1", "3 Jan 2026", "Overdue"]]
    (entry,) = audit_rows("lado_record.read")
    assert (entry.object_type, entry.object_id, entry.after) == (
        "lado_page",
        "home.index",
        {"refs": ["test_lado_item:L1"]},
    )


def test_the_navigation_links_a_qaros_own_worklist_and_a_managers_whole_one(client_request, login_as):
    login_as("qaro", officer_id="Q1")
    nav = client_request.get("/").links(".govuk-service-navigation")
    assert nav["My worklist"] == "/worklist/mine" and "Worklist" not in nav
    login_as("manager")
    nav = client_request.get("/").links(".govuk-service-navigation")
    assert nav["Worklist"] == "/worklist/" and "My worklist" not in nav
    login_as("analyst")
    nav = client_request.get("/").links(".govuk-service-navigation")
    assert "Worklist" not in nav and "My worklist" not in nav


def test_everyones_own_lists_at_once_are_each_ones_own_list(app, small_authority, make_user):
    """``items_for_each`` (the digest's one pass) gives each user exactly ``items_for``: a QARO's
    items, a LADO manager's unallocated queue (with its actions' quarterly reviews, on own lists
    only) when she has no officer id, nothing for a role without a worklist."""
    from sqlalchemy import select as select_

    from tracker.auth.models import User
    from tracker.extensions import db

    make_user("lm@example.org", ["lado_manager"])  # no officer id: the queue only
    make_user("an@example.org", ["analyst"], officer_id="AN1")
    as_of = dt.date(2023, 1, 16)
    with app.app_context():
        users = list(db.session.scalars(select_(User).order_by(User.id)))
        for states in (None, ["overdue", "due_soon"]):
            lists = worklist.items_for_each(users, as_of, states=states)
            for user in users:
                own = [i for i in worklist.items_for(user, as_of) if states is None or i.state in states]
                assert lists[user.id] == own, user.email
        by_email = {u.email: lists[u.id] for u in users}
        assert by_email["q1@example.org"] and by_email["lm@example.org"]
        assert all(i.owner == "" for i in by_email["lm@example.org"])  # the queue, with its quarterly reviews
        assert {i.kind for i in by_email["lm@example.org"]} == {
            "lado_iem",
            "lado_paim",
            "lado_action",
            "lado_action_review",
        }
        assert by_email["an@example.org"] == []
