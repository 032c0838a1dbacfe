"""The due-item registry (interchange.md §3): the ``due-items`` command and the worklist pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from tracker.core import worklist
from tracker.core.calendar import add_working_days

D = dt.date.fromisoformat
AS_OF = D("2026-01-05")


@pytest.fixture
def app_config():
    return {"TODAY": AS_OF.isoformat(), "PAGE_SIZE": 3}


# (ref, owner, due_date, label, url): open items of a made-up kind
CHILD_ITEMS = [
    ("C3", "Q1", AS_OF + dt.timedelta(days=60), "Child C3", "/children/C3"),
    ("C1", "Q1", AS_OF - dt.timedelta(days=3), "Child C1", "/children/C1"),
    ("C2", "Q2", AS_OF, "Child C2", None),
    ("C4", "Q2", add_working_days(AS_OF, 10), "Child C4", None),
    ("C5", "Q3", AS_OF - dt.timedelta(days=30), "Child C5", None),
    ("C6", "", AS_OF - dt.timedelta(days=1), "Child C6", None),  # not allocated
    ("C7", "Q1", None, "Child C7", None),  # no due date: not an item
]
LADO_ITEMS = [
    {"ref": "L1", "owner": "L9", "due_date": AS_OF - dt.timedelta(days=2), "label": "Referral L1", "url": None},
]


@pytest.fixture
def fake_kinds():
    """Registers two test kinds for the test and removes them afterwards."""
    seen = []

    def child_query(as_of, owner):
        seen.append((as_of, owner))
        return [r for r in CHILD_ITEMS if owner is None or r[1] == owner]

    worklist.register_kind("test_child_item", "Test child item", "children", child_query, order=1)
    worklist.register_kind("test_lado_item", "Test LADO item", "lado", lambda as_of, owner: list(LADO_ITEMS), order=2)
    yield seen
    worklist.KINDS.pop("test_child_item", None)
    worklist.KINDS.pop("test_lado_item", None)


def _registered_only(items):
    return [i for i in items if i["kind"].startswith("test_")]


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
    assert result.exit_code == 2 and "is not a date" in result.output


def test_due_items_sorted_with_states(app, runner, fake_kinds):
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


def test_due_items_owner_filter_and_csv(app, runner, fake_kinds):
    result = runner.invoke(args=["due-items", "--as-of", AS_OF.isoformat(), "--owner", "Q1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["kind"], r["ref"], r["owner"], r["state"]) for r in rows] == [
        ("test_child_item", "C1", "Q1", "overdue"),
        ("test_child_item", "C3", "Q1", "upcoming"),
    ]
    assert (AS_OF, "Q1") in fake_kinds  # the owner is passed down to the set-based query


def test_collect_filters(app, fake_kinds, make_user):
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North")
    make_user("south@example.org", ["qaro"], officer_id="Q2", team="South")
    with app.app_context():
        refs = lambda items: [i.ref for i in items]  # noqa: E731
        assert refs(worklist.collect(AS_OF, kinds=["test_lado_item"])) == ["L1"]
        assert refs(worklist.collect(AS_OF, kinds=["test_child_item"], states=["overdue"])) == ["C5", "C1", "C6"]
        assert refs(worklist.collect(AS_OF, kinds=["test_child_item"], states=["due_soon", "upcoming"])) == [
            "C2",
            "C4",
            "C3",
        ]
        assert refs(worklist.collect(AS_OF, team="North")) == ["C1", "C3"]
        assert refs(worklist.collect(AS_OF, team="South", states=["due_soon"])) == ["C2", "C4"]
        items = worklist.collect(AS_OF, owner="Q1")
        assert [(i.label, i.url, i.team) for i in items] == [
            ("Child C1", "/children/C1", "North"),
            ("Child C3", "/children/C3", "North"),
        ]


def test_collect_shows_only_the_families_the_user_may_see(app, fake_kinds, make_user):
    manager = make_user("m@example.org", ["manager"])
    lado = make_user("l@example.org", ["lado_manager"])
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        assert {
            i.kind for i in worklist.collect(AS_OF, user=db.session.get(User, manager.id)) if i.kind.startswith("test_")
        } == {"test_child_item"}
        assert {
            i.kind for i in worklist.collect(AS_OF, user=db.session.get(User, lado.id)) if i.kind.startswith("test_")
        } == {"test_lado_item"}


def test_items_for_a_user_are_their_own(app, fake_kinds, make_user):
    q1 = make_user("q1@example.org", ["qaro"], officer_id="Q1")
    nobody = make_user("n@example.org", ["qaro"])
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        assert [
            i.ref for i in worklist.items_for(db.session.get(User, q1.id), AS_OF) if i.kind.startswith("test_")
        ] == ["C1", "C3"]
        assert [i.ref for i in worklist.items_for(db.session.get(User, q1.id), AS_OF, state="upcoming")] == ["C3"]
        assert worklist.items_for(db.session.get(User, nobody.id), AS_OF) == []


def _rows(page: str) -> list[str]:
    """The item refs shown in the worklist table, in order."""
    import re

    table = page.split('id="worklist"', 1)[1].split("</table>", 1)[0] if 'id="worklist"' in page else ""
    return re.findall(r"Child (C\d)|Referral (L\d)", table) and [
        a or b for a, b in re.findall(r"Child (C\d)|Referral (L\d)", table)
    ]


def test_manager_worklist_defaults_to_overdue_and_filters(app, client, login_as, make_user, fake_kinds):
    make_user("north@example.org", ["qaro"], officer_id="Q1", team="North", name="Nora North")
    make_user("south@example.org", ["qaro"], officer_id="Q2", team="South", name="Sam South")
    login_as("manager")
    page = client.get("/worklist/").get_data(as_text=True)
    assert "All overdue items" in page
    assert _rows(page) == ["C5", "C1", "C6"]  # no LADO items for a manager
    assert "Nora North" in page and "Not allocated" in page
    assert 'href="/children/C1"' in page  # items with a page are links

    assert _rows(client.get("/worklist/?state=any").get_data(as_text=True)) == [
        "C5",
        "C1",
        "C6",
    ]  # page 1 of 2 (PAGE_SIZE 3)
    second = client.get("/worklist/?state=any&page=2").get_data(as_text=True)
    assert _rows(second) == ["C2", "C4", "C3"]
    assert "Items 4 to 6 of 6" in second
    assert _rows(client.get("/worklist/?state=due_soon").get_data(as_text=True)) == ["C2", "C4"]
    assert _rows(client.get("/worklist/?state=any&team=South").get_data(as_text=True)) == ["C2", "C4"]
    assert _rows(client.get("/worklist/?state=any&owner=Q1").get_data(as_text=True)) == ["C1", "C3"]
    assert _rows(client.get("/worklist/?state=any&kind=test_child_item&team=North").get_data(as_text=True)) == [
        "C1",
        "C3",
    ]
    empty = client.get("/worklist/?state=overdue&team=South").get_data(as_text=True)
    assert _rows(empty) == [] and "There are no overdue items matching these filters" in empty
    # a kind the user may not see is not a valid choice
    bad = client.get("/worklist/?kind=test_lado_item")
    assert bad.status_code == 200 and "govuk-error-summary" in bad.get_data(as_text=True)
    assert "Referral L1" not in bad.get_data(as_text=True)


def test_lado_manager_sees_lado_items(app, client, login_as, fake_kinds):
    login_as("lado_manager")
    assert _rows(client.get("/worklist/").get_data(as_text=True)) == ["L1"]


def test_my_worklist(app, client, login_as, fake_kinds):
    login_as("qaro", officer_id="Q1")
    page = client.get("/worklist/mine").get_data(as_text=True)
    assert "My worklist" in page and _rows(page) == ["C1", "C3"]
    assert _rows(client.get("/worklist/mine?state=overdue").get_data(as_text=True)) == ["C1"]


def test_my_worklist_without_an_officer_id(app, client, login_as, fake_kinds):
    login_as("qaro")
    assert "not linked to an officer ID" in client.get("/worklist/mine").get_data(as_text=True)


def test_empty_worklist(app, client, login_as):
    login_as("manager")
    assert "There are no overdue items." in client.get("/worklist/").get_data(as_text=True)


def test_worklist_access(app, client, sign_in):
    for role in ["qaro", "lado", "panel_admin", "adm", "analyst", "board", "admin"]:
        sign_in(role, email=f"{role}.1@example.org")
        assert client.get("/worklist/").status_code == 403, role
    for role in ["iro_manager", "manager", "lado_manager"]:
        sign_in(role, email=f"{role}.2@example.org")
        assert client.get("/worklist/").status_code == 200, role
    for role in ["analyst", "board", "admin", "manager"]:
        sign_in(role, email=f"{role}.3@example.org")
        assert client.get("/worklist/mine").status_code == 403, role
    for role in ["qaro", "lado", "panel_admin", "adm", "iro_manager"]:
        sign_in(role, email=f"{role}.4@example.org")
        assert client.get("/worklist/mine").status_code == 200, role


def test_due_items_csv_escapes_spreadsheet_formulas(app, runner):
    """interchange.md §4: a cell a spreadsheet would evaluate is neutralised, in every column."""
    worklist.register_kind(
        "test_formula_item",
        "Test formula item",
        "children",
        lambda as_of, owner: [
            ('=HYPERLINK("http://x")', "+Q1", AS_OF, "x", None),
            ("@SUM(A1)", "-1", AS_OF, "y", None),
        ],
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
    assert '"=HYPERLINK' in json_result.output  # JSON is data, not a spreadsheet: unchanged


def test_the_manager_worklist_shows_no_lado_item_and_audits_nothing(app, client, login_as, fake_kinds):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    login_as("manager")
    assert "L1" not in _rows(client.get("/worklist/?state=any").get_data(as_text=True))
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="lado_record.read").count() == 0


def test_a_lado_item_shown_on_a_worklist_is_an_audited_read(app, client, login_as, fake_kinds):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    login_as("lado_manager")
    assert _rows(client.get("/worklist/").get_data(as_text=True)) == ["L1"]
    with app.app_context():
        (entry,) = db.session.query(AuditEntry).filter_by(action="lado_record.read").all()
        assert entry.object_type == "worklist" and entry.after == {"items": ["test_lado_item:L1"]}
