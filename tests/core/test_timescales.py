"""Timescale rules (domain.md §3): due_state, and the administrator's rule edit with audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, func, literal, select

from tracker.core import timescales
from tracker.core.calendar import add_working_days
from tracker.core.timescales import DueState, due_state

D = dt.date.fromisoformat
AS_OF = D("2026-01-05")  # a Monday; no bank holiday in the next three weeks


@pytest.mark.parametrize(
    "due, expected",
    [
        (AS_OF - dt.timedelta(days=1), DueState.overdue),  # due yesterday
        (AS_OF - dt.timedelta(days=400), DueState.overdue),
        (AS_OF, DueState.due_soon),  # due today is not overdue
        (AS_OF + dt.timedelta(days=1), DueState.due_soon),
        (add_working_days(AS_OF, 10), DueState.due_soon),  # within the next 10 working days
        (add_working_days(AS_OF, 10) + dt.timedelta(days=1), DueState.upcoming),  # a Tuesday: 11th working day
        (add_working_days(AS_OF, 11), DueState.upcoming),
        (AS_OF + dt.timedelta(days=300), DueState.upcoming),
    ],
    ids=str,
)
def test_due_state(due, expected):
    assert due_state(due, AS_OF) is expected


def test_due_soon_counts_working_days_across_holidays():
    as_of = D("2026-12-21")  # Christmas week: 25 and 28 Dec are bank holidays
    tenth = add_working_days(as_of, 10)
    assert tenth == D("2027-01-07")
    assert due_state(tenth, as_of) is DueState.due_soon
    assert due_state(tenth + dt.timedelta(days=1), as_of) is DueState.upcoming


@pytest.mark.parametrize(
    "days, due_offset, expected",
    [
        (5, 5, DueState.due_soon),
        (5, 6, DueState.upcoming),
        (0, 0, DueState.due_soon),
        (0, 1, DueState.upcoming),
        (15, 15, DueState.due_soon),
    ],
)
def test_due_soon_working_days_is_configurable(app, days, due_offset, expected):
    app.config["DUE_SOON_WORKING_DAYS"] = days
    with app.app_context():
        from tracker.extensions import db

        due = add_working_days(AS_OF, due_offset)
        assert due_state(due, AS_OF) is expected
        assert db.session.scalar(select(timescales.due_state_sql(literal(due, Date), AS_OF))) == expected.value


def test_due_state_sql_agrees_with_python(app):
    with app.app_context():
        from tracker.extensions import db

        dues = [AS_OF + dt.timedelta(days=n) for n in range(-3, 25)]
        exprs = [timescales.due_state_sql(literal(d, Date), AS_OF).label(f"s{i}") for i, d in enumerate(dues)]
        got = db.session.execute(select(*exprs)).one()
        assert list(got) == [due_state(d, AS_OF).value for d in dues]


def test_rule_duration_text(app):
    with app.app_context():
        assert timescales.rule("cic_review_first").duration_text == "20 working days"
        assert timescales.rule("panel_papers").duration_text == "5 working days before"
        assert timescales.rule("lado_referral_decision").duration_text == "1 working day"
        assert len(timescales.all_rules()) == len(timescales.DEFAULT_RULES)


def _changes(audit_rows) -> list[tuple]:
    return [(e.object_id, e.before, e.after, e.actor) for e in audit_rows("timescale_rule.update")]


def test_rules_list_shows_every_rule(app, client_request, admin):
    page = client_request.get("/admin/rules/")
    assert page.h1 == "Timescale rules"
    with app.app_context():
        expected = [[r.label, r.anchor, r.duration_text, r.source, f"Change {r.label}"] for r in timescales.all_rules()]
    assert page.table("#rules") == expected
    assert [r[0] for r in page.table("#rules")] == [r["label"] for r in timescales.DEFAULT_RULES]
    assert page.table("#rules")[0] == [
        "First CiC review",
        "start of the care period",
        "20 working days",
        "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(1)",
        "Change First CiC review",
    ]
    links = page.links("#rules")
    assert [links[f"Change {r['label']}"] for r in timescales.DEFAULT_RULES] == [
        f"/admin/rules/{r['name']}" for r in timescales.DEFAULT_RULES
    ]


def test_rule_edit_changes_deadlines_and_writes_one_audit_row(app, client_request, admin, audit_rows):
    anchor = D("2026-01-05")
    with app.app_context():
        assert timescales.deadline("review_recommendations", anchor) == D("2026-01-12")
    form = client_request.get("/admin/rules/review_recommendations")
    assert form.h1 == "Timescale rule Review recommendations issued"
    assert form.value("amount") == "5"
    assert form.summary()["Current duration"] == "5 working days"
    page = client_request.post("/admin/rules/review_recommendations", {"amount": "10", "unit": "working_days"})
    assert page.response.location.endswith("/admin/rules/")
    with app.app_context():
        from tracker.extensions import db

        assert timescales.deadline("review_recommendations", anchor) == D("2026-01-19")
        assert db.session.scalar(select(timescales.deadline_sql("review_recommendations", literal(anchor, Date)))) == D(
            "2026-01-19"
        )
    assert _changes(audit_rows) == [
        (
            "review_recommendations",
            {"amount": 5, "unit": "working_days"},
            {"amount": 10, "unit": "working_days"},
            "admin@example.org",
        )
    ]
    page = client_request.get("/admin/rules/")
    assert page.banner == "Success Review recommendations issued: saved as 10 working days."
    rows = {row[0]: row for row in page.table("#rules")}
    assert rows["Review recommendations issued"][2] == "10 working days"

    # the indicator that names the rule names its duration in force
    from tracker.core import kpis

    with app.app_context():
        labels = [i.title for i in kpis.indicators()]
    assert "Recommendations issued within 10 working days" in labels
    assert all("{" not in label for label in labels)
    indicators = client_request.get("/kpis/?from=2026-01-01&to=2026-01-31")
    assert "Recommendations issued within 10 working days" in indicators.text
    assert "Recommendations issued within 5 working days" not in indicators.text

    # a change of unit too
    page = client_request.post(
        "/admin/rules/review_recommendations", {"amount": "1", "unit": "months"}, follow=True, status=200
    )
    assert page.banner == "Success Review recommendations issued: saved as 1 month."
    with app.app_context():
        assert timescales.deadline("review_recommendations", D("2026-01-31")) == D("2026-02-28")
    assert len(_changes(audit_rows)) == 2

    # saving the same values writes nothing
    page = client_request.post(
        "/admin/rules/review_recommendations", {"amount": "1", "unit": "months"}, follow=True, status=200
    )
    assert page.banner == "Important No changes to save."
    assert len(_changes(audit_rows)) == 2


INVALID_RULE_INPUT = [
    ({"amount": "0", "unit": "working_days"}, "amount", "The amount must not be 0"),
    ({"amount": "", "unit": "working_days"}, "amount", "Enter the amount as a whole number, like 20"),
    ({"amount": "five", "unit": "working_days"}, "amount", "Enter the amount as a whole number, like 20"),
    ({"amount": "2.5", "unit": "days"}, "amount", "Enter the amount as a whole number, like 20"),
    ({"amount": "9999", "unit": "working_days"}, "amount", "The amount must be between -500 and 500 working days"),
    ({"amount": "25", "unit": "months"}, "amount", "The amount must be between -24 and 24 months"),
    ({"amount": "5", "unit": "weeks"}, "unit", "Not a valid choice."),
    ({"amount": "5"}, "unit", "Select working days, days or months"),
]


@pytest.mark.parametrize("data, field, message", INVALID_RULE_INPUT, ids=[str(d) for d, _, _ in INVALID_RULE_INPUT])
def test_invalid_rule_input_shows_the_error_summary(app, client_request, admin, audit_rows, data, field, message):
    page = client_request.post("/admin/rules/review_minutes", data, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.title.startswith("Error: Change Review minutes")
    with app.app_context():
        assert timescales.rule("review_minutes").amount == 20
    assert _changes(audit_rows) == []


def test_negative_amount_is_allowed(app, client_request, admin):
    client_request.post("/admin/rules/panel_papers", {"amount": "-10", "unit": "working_days"})
    with app.app_context():
        assert timescales.deadline("panel_papers", D("2026-01-30")) == D("2026-01-16")


def test_rule_edit_needs_the_csrf_token(app, client_request, admin):
    page = client_request.post("/admin/rules/review_minutes", {"amount": "10", "unit": "days"}, csrf=False, status=400)
    assert page.h1 == "Sorry, there is a problem with your request"
    with app.app_context():
        assert timescales.rule("review_minutes").amount == 20


def test_unknown_rule_is_404(app, client_request, admin):
    client_request.get("/admin/rules/no_such_rule", status=404)


NON_ADMIN_ROLES = ["qaro", "iro_manager", "manager", "lado", "lado_manager", "panel_admin", "adm", "analyst", "board"]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admin_gets_403(app, client_request, login_as, audit_rows, role):
    login_as(role)
    for url in ("/admin/rules/", "/admin/rules/review_minutes", "/admin/rules/closures/new"):
        client_request.get(url, status=403)
    client_request.post("/admin/rules/review_minutes", {"amount": "10", "unit": "days"}, status=403)
    client_request.post("/admin/rules/closures/new", {"day": ["7", "1", "2026"], "reason": "x"}, status=403)
    with app.app_context():
        from tracker.extensions import db

        assert timescales.rule("review_minutes").amount == 20
        assert db.session.scalar(select(func.count()).select_from(timescales.TimescaleRule)) == len(
            timescales.DEFAULT_RULES
        )
    assert audit_rows("closure_day.create") == [] and _changes(audit_rows) == []


def test_signed_out_user_is_sent_to_sign_in(app, client_request):
    page = client_request.get("/admin/rules/", status=302)
    assert page.response.location.startswith("/login?next=")


def test_rules_nav_item_for_admin_only(app, client_request, login_as):
    login_as("admin")
    assert client_request.get("/").links("nav")["Timescales"] == "/admin/rules/"
    login_as("manager")
    assert "Timescales" not in client_request.get("/").links("nav")


def _write(folder, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("app_config", [{"TODAY": "2026-01-20"}])
def test_rule_edited_on_the_admin_page_moves_the_due_items(
    app, client_request, runner, import_folder, admin, audit_rows, tmp_path
):
    """interchange.md §3: rules changed by the administrator change the due dates of due-items."""
    import json

    _write(tmp_path, "officers.csv", "officer_id,name,roles,team\nQ1,Officer 1,qaro,North\n")
    _write(tmp_path, "children.csv", "child_id,date_of_birth,iro_officer_id\nC1,2012-05-01,Q1\n")
    _write(tmp_path, "care_periods.csv", "child_id,start_date\nC1,2025-12-01\n")
    _write(tmp_path, "reviews.csv", "review_id,child_id,review_date,officer_id\nR1,C1,2026-01-05,Q1\n")
    import_folder(tmp_path)

    def recommendations_due() -> str:
        out = runner.invoke(args=["due-items", "--as-of", "2026-01-06", "--format", "json"])
        assert out.exit_code == 0, out.output
        items = [i for i in json.loads(out.output)["items"] if i["kind"] == "review_recommendations"]
        assert [i["ref"] for i in items] == ["R1"]
        return items[0]["due_date"]

    assert recommendations_due() == "2026-01-12"  # review + 5 working days
    client_request.post("/admin/rules/review_recommendations", {"amount": "10", "unit": "working_days"})
    assert recommendations_due() == "2026-01-19"  # review + 10 working days
    assert len(_changes(audit_rows)) == 1
