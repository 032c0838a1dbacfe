"""The scorecard's configuration pages (/board/configure…, admin): sections and rows added,
renamed or changed, moved and deleted through the pages, each audited with before/after, the
positions kept 1, 2, 3 …; the validation messages; a stale save refused; 403 for every other
role; CSRF refused; and changing the rows never changes a frozen month's values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.panels.conftest import write_import_files
from tracker.board import operations, scorecard
from tracker.board.models import ScorecardRow, ScorecardSection
from tracker.core import kpis
from tracker.core.audit import AuditEntry
from tracker.core.permissions import ROLE_CODES
from tracker.extensions import db

APRIL = dt.date(2022, 4, 1)
TODAY = dt.date(2023, 6, 30)


@pytest.fixture
def app_config():
    return {"TODAY": TODAY.isoformat()}


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return rows


def sections(app) -> list[tuple[str, int, list[str]]]:
    """(title, position, [indicator ids in order]) of every section, in order."""
    with app.app_context():
        return [(s.title, s.position, [r.indicator_id for r in s.rows]) for s in operations.sections()]


def section_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(ScorecardSection.id).where(ScorecardSection.title == title))


def row(app, indicator_id: str) -> ScorecardRow:
    with app.app_context():
        found = db.session.scalar(select(ScorecardRow).where(ScorecardRow.indicator_id == indicator_id))
        db.session.expunge_all()
        return found


def unused_indicator(app) -> kpis.Indicator:
    with app.app_context():
        used = operations.used_indicators()
    return next(ind for ind in kpis.indicators() if ind.id not in used)


def row_data(**changes) -> dict:
    data = {"label": "", "unit": "%", "good_is": "High", "england": "", "good_sn": "", "target": "", "tolerance": ""}
    return data | changes


def test_the_page_lists_every_section_with_its_rows(app, admin, client_request):
    page = client_request.get("/board/configure")
    assert page.h1 == "Configure the scorecard"
    assert "never changes a frozen month's values" in page.text_of("#help")
    assert page.texts("main h2") == ["1. Reviews", "2. Safety", "3. Allegations (LADO)", "4. Panels"]
    lado = page.table(f"#section-{section_id(app, 'Allegations (LADO)')}-rows")
    iem = next(line for line in lado if "lado.iem_in_timescale" in line[0])
    assert iem[1:8] == ["default", "%", "High", "–", "–", "100", "default"]
    assert "Change row" in iem[8] and "Move up" in iem[8] and "Move down" in iem[8] and "Delete row" in iem[8]
    assert page.links()["Add a section"] == "/board/configure/sections/new"
    assert "Minutes completed within 20 working days" in page.text_of("main")  # the rule's duration in force
    assert "{" not in page.text_of("main")


def test_sections_are_added_renamed_moved_and_deleted_audited(app, admin, client_request):
    page = client_request.post("/board/configure/sections/new", {"title": "  Health  "}, follow=True, status=200)
    assert page.banner == "Success Section Health added at the end of the scorecard."
    assert sections(app)[-1] == ("Health", 5, [])
    [created] = audit_rows(app, "scorecard_section.create")
    assert created.after == {"title": "Health", "position": 5}
    assert created.object_type == "scorecard_section"
    health = section_id(app, "Health")

    client_request.post(f"/board/configure/sections/{health}/edit", {"title": "Health and wellbeing", "version": "1"})
    [renamed] = audit_rows(app, "scorecard_section.update")
    assert (renamed.before, renamed.after) == ({"title": "Health"}, {"title": "Health and wellbeing"})

    client_request.post(f"/board/configure/sections/{health}/move/up")
    assert [s[0] for s in sections(app)] == [
        "Reviews",
        "Safety",
        "Allegations (LADO)",
        "Health and wellbeing",
        "Panels",
    ]
    moved = audit_rows(app, "scorecard_section.update")[-1]
    assert (moved.before, moved.after) == ({"position": 5}, {"position": 4})
    client_request.post(f"/board/configure/sections/{section_id(app, 'Reviews')}/move/up", follow=True, status=200)
    assert len(audit_rows(app, "scorecard_section.update")) == 2  # first already: nothing written

    safety = section_id(app, "Safety")
    confirm = client_request.get(f"/board/configure/sections/{safety}/delete")
    assert confirm.h1 == "Delete the section Safety?"
    assert confirm.text_of("#what") == "The section and its 6 rows will be taken off the scorecard."
    page = client_request.post(f"/board/configure/sections/{safety}/delete", follow=True, status=200)
    assert page.banner == "Success Section Safety deleted with its 6 rows."
    assert [(s[0], s[1]) for s in sections(app)] == [
        ("Reviews", 1),
        ("Allegations (LADO)", 2),
        ("Health and wellbeing", 3),
        ("Panels", 4),
    ]
    [deleted] = audit_rows(app, "scorecard_section.delete")
    assert deleted.before["title"] == "Safety"
    assert len(deleted.before["rows"]) == 6
    assert deleted.after is None
    assert row(app, "escalations.closed") is None


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Enter the section's title"),
        ("   ", "Enter the section's title"),
        ("reviews", "There is already a section called Reviews: choose another title"),
        ("x" * 121, "The title must be 120 characters or fewer"),
    ],
)
def test_a_section_title_is_required_unique_and_short(app, admin, client_request, title, message):
    page = client_request.post("/board/configure/sections/new", {"title": title}, status=200)
    assert page.errors == [message]
    assert page.field_error("title") == message
    assert len(sections(app)) == 4
    assert audit_rows(app, "scorecard_section.create") == []


def test_renaming_to_another_sections_title_is_refused(app, admin, client_request):
    panels = section_id(app, "Panels")
    page = client_request.post(f"/board/configure/sections/{panels}/edit", {"title": "Safety"}, status=200)
    assert page.errors == ["There is already a section called Safety: choose another title"]


def test_a_stale_rename_is_refused(app, admin, client_request):
    panels = section_id(app, "Panels")
    client_request.post(f"/board/configure/sections/{panels}/edit", {"title": "Panels and carers", "version": "1"})
    page = client_request.post(
        f"/board/configure/sections/{panels}/edit", {"title": "Fostering", "version": "1"}, status=200
    )
    assert page.errors == ["Someone else changed this record since you opened it"]
    assert [s[0] for s in sections(app)][-1] == "Panels and carers"


def test_rows_are_added_changed_moved_and_deleted_audited(app, admin, client_request):
    indicator = unused_indicator(app)
    panels = section_id(app, "Panels")
    form = client_request.get(f"/board/configure/sections/{panels}/rows/new")
    choices = form.texts("#indicator_id option")
    with app.app_context():
        title, used = indicator.title, kpis.get("reviews.minutes_in_timescale").title
    assert f"{indicator.section}: {title}" in choices
    assert "{" not in " ".join(choices)  # titles name the timescale rules' durations
    assert not any(text.endswith(used) for text in choices)  # on the scorecard

    data = row_data(indicator_id=indicator.id, unit="No.", good_is="Low", target="12.5", england="10")
    page = client_request.post(f"/board/configure/sections/{panels}/rows/new", data, follow=True, status=200)
    assert page.banner == f"Success {title} added to Panels."
    added = row(app, indicator.id)
    assert (added.position, added.unit, added.good_is, added.target, added.label) == (4, "No.", "Low", 12.5, "")
    [created] = audit_rows(app, "scorecard_row.create")
    assert created.object_type == "scorecard_row" and created.object_id == str(added.id)
    assert created.after["indicator_id"] == indicator.id
    assert created.after["section_id"] == panels and created.after["unit"] == "No."

    first = row(app, "reviews.in_timescale")
    client_request.post(
        f"/board/configure/rows/{first.id}/edit",
        row_data(label="Reviews on time", target="95", tolerance="2.5", version=str(first.version)),
    )
    changed = row(app, "reviews.in_timescale")
    assert (changed.label, changed.target, changed.tolerance) == ("Reviews on time", 95, 2.5)
    [updated] = audit_rows(app, "scorecard_row.update")
    assert set(updated.after) == {"label", "target", "tolerance"}
    assert updated.before == {"label": "", "target": None, "tolerance": None}

    client_request.post(f"/board/configure/rows/{first.id}/move/down")
    reviews = sections(app)[0][2]
    assert reviews[:2] == ["reviews.recommendations_in_timescale", "reviews.in_timescale"]
    moved = audit_rows(app, "scorecard_row.update")[-1]
    assert (moved.before, moved.after) == ({"position": 1}, {"position": 2})

    confirm = client_request.get(f"/board/configure/rows/{first.id}/delete")
    assert confirm.h1 == "Delete the row Reviews on time?"
    page = client_request.post(f"/board/configure/rows/{first.id}/delete", follow=True, status=200)
    assert page.banner == "Success Row Reviews on time deleted from Reviews."
    assert row(app, "reviews.in_timescale") is None
    with app.app_context():
        positions = [r.position for r in operations.sections()[0].rows]
    assert positions == [1, 2, 3, 4, 5]
    [deleted] = audit_rows(app, "scorecard_row.delete")
    assert deleted.before["indicator_id"] == "reviews.in_timescale"
    assert deleted.before["label"] == "Reviews on time"


def test_a_new_rows_unit_and_good_is_default_to_the_indicators(app, admin, client_request):
    indicator = unused_indicator(app)
    panels = section_id(app, "Panels")
    form = client_request.get(f"/board/configure/sections/{panels}/rows/new")
    assert form.soup.select_one("input[name=unit][checked]")["value"] == ""  # the indicator's own
    client_request.post(f"/board/configure/sections/{panels}/rows/new", {"indicator_id": indicator.id, "unit": ""})
    added = row(app, indicator.id)
    assert added.unit == scorecard.BOARD_UNIT[indicator.unit]
    assert added.good_is == indicator.good_is
    assert (added.label, added.target, added.tolerance) == ("", None, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"indicator_id": "reviews.in_timescale"},
            "indicator_id",
            "is on the scorecard already: change its row instead",
        ),
        ({"indicator_id": ""}, "indicator_id", "Select the indicator"),
        ({"indicator_id": "no.such.indicator"}, "indicator_id", "Select an indicator from the list"),
        ({"england": "abc"}, "england", "The England average must be a number, like 85.5"),
        ({"good_sn": "1e5"}, "good_sn", "The Good + SN average must be a number, like 85.5"),
        ({"target": "NaN"}, "target", "The target must be a number, like 85.5"),
        ({"target": "1.234"}, "target", "The target must have no more than 2 decimal places"),
        ({"target": "99999999999"}, "target", "The target must be less than 10,000,000,000"),
        ({"tolerance": "-1"}, "tolerance", "The tolerance must be 0 or more"),
        ({"label": "x" * 201}, "label", "The label must be 200 characters or fewer"),
    ],
)
def test_a_row_is_refused_with_a_clear_message(app, admin, client_request, changes, field, message):
    indicator = unused_indicator(app)
    panels = section_id(app, "Panels")
    page = client_request.post(
        f"/board/configure/sections/{panels}/rows/new", row_data(indicator_id=indicator.id) | changes, status=200
    )
    assert len(page.errors) == 1 and message in page.errors[0]
    assert message in page.field_error(field)
    assert audit_rows(app, "scorecard_row.create") == []


def test_a_changed_row_is_refused_with_a_clear_message(app, admin, client_request):
    first = row(app, "reviews.in_timescale")
    page = client_request.post(f"/board/configure/rows/{first.id}/edit", row_data(tolerance="-0.5"), status=200)
    assert page.errors == ["The tolerance must be 0 or more"]
    assert row(app, "reviews.in_timescale").tolerance is None


def test_a_stale_row_change_is_refused(app, admin, client_request):
    first = row(app, "reviews.in_timescale")
    version = str(first.version)
    client_request.post(f"/board/configure/rows/{first.id}/edit", row_data(target="90", version=version))
    page = client_request.post(
        f"/board/configure/rows/{first.id}/edit", row_data(target="80", version=version), status=200
    )
    assert page.errors == ["Someone else changed this record since you opened it"]
    assert "Target" in page.text_of("[data-conflict]")
    assert row(app, "reviews.in_timescale").target == 90


def test_a_stale_delete_is_refused(app, admin, client_request):
    first = row(app, "reviews.in_timescale")
    client_request.post(f"/board/configure/rows/{first.id}/edit", row_data(target="90", version=str(first.version)))
    page = client_request.post(f"/board/configure/rows/{first.id}/delete", {"version": str(first.version)}, status=200)
    assert page.errors == ["Someone else changed this record since you opened it"]
    assert row(app, "reviews.in_timescale") is not None


def test_unknown_ids_are_not_found(app, admin, client_request):
    for url in (
        "/board/configure/sections/999/edit",
        "/board/configure/rows/999/edit",
        "/board/configure/rows/999/delete",
    ):
        client_request.get(url, status=404)
    client_request.post("/board/configure/rows/999/move/up", status=404)
    client_request.post("/board/configure/rows/1/move/sideways", status=404)


ROUTES = [
    ("GET", "/board/configure"),
    ("GET", "/board/configure/sections/new"),
    ("POST", "/board/configure/sections/new"),
    ("GET", "/board/configure/sections/1/edit"),
    ("POST", "/board/configure/sections/1/edit"),
    ("POST", "/board/configure/sections/1/move/down"),
    ("GET", "/board/configure/sections/1/delete"),
    ("POST", "/board/configure/sections/1/delete"),
    ("GET", "/board/configure/sections/1/rows/new"),
    ("POST", "/board/configure/sections/1/rows/new"),
    ("GET", "/board/configure/rows/1/edit"),
    ("POST", "/board/configure/rows/1/edit"),
    ("POST", "/board/configure/rows/1/move/down"),
    ("GET", "/board/configure/rows/1/delete"),
    ("POST", "/board/configure/rows/1/delete"),
]


@pytest.mark.parametrize("role", sorted(set(ROLE_CODES) - {"admin"}))
def test_every_other_role_is_refused(app, login_as, client_request, role):
    login_as(role)
    for method, url in ROUTES:
        if method == "GET":
            client_request.get(url, status=403)
        else:
            client_request.post(url, {"title": "Hacked"}, status=403)
    assert sections(app)[0][0] == "Reviews"


def test_a_post_without_its_csrf_token_is_refused(app, admin, client_request):
    client_request.post("/board/configure/sections/new", {"title": "Health"}, csrf=False, status=400)
    client_request.post("/board/configure/sections/1/move/down", csrf=False, status=400)
    client_request.post("/board/configure/rows/1/delete", csrf=False, status=400)
    assert len(sections(app)) == 4 and len(sections(app)[0][2]) == 6


# --- changing a row's configuration never changes a frozen month's values ------------------------


@pytest.fixture
def three_reviews(import_folder, tmp_path):
    """Three children's first reviews in April 2022: two on time, one late."""
    children, periods, reviews = [], [], []
    for n, (day, start) in enumerate([(12, "2022-03-22"), (13, "2022-03-23"), (14, "2022-02-13")], 1):
        children.append({"child_id": f"C{n}", "date_of_birth": "2010-06-01"})
        periods.append({"child_id": f"C{n}", "start_date": start})
        reviews.append({"review_id": f"R{n}", "child_id": f"C{n}", "review_date": f"2022-04-{day}"})
    files = {"children.csv": children, "care_periods.csv": periods, "reviews.csv": reviews}
    import_folder(write_import_files(tmp_path / "reviews", files))


def frozen_values(app) -> dict[str, tuple]:
    """The April 2022 values of every line of the scorecard, by indicator id."""
    with app.app_context():
        card = scorecard.build(APRIL, TODAY)
        assert APRIL in card.frozen
        return {
            line.row.indicator_id: next(
                (v.value, v.numerator, v.denominator, v.provisional) for v in line.values if v.month == APRIL
            )
            for block in card.blocks
            for line in block.lines
        }


def test_changing_the_rows_never_changes_a_frozen_months_values(app, three_reviews, admin, client_request):
    with app.app_context():
        operations.freeze_month(APRIL)
        db.session.commit()
    before = frozen_values(app)
    assert before["reviews.in_timescale"][0] == Decimal("66.67")
    assert before["reviews.in_timescale"][3] is False

    first = row(app, "reviews.in_timescale")
    client_request.post(
        f"/board/configure/rows/{first.id}/edit",
        row_data(label="Renamed", unit="No.", good_is="Low", target="50", tolerance="1", version=str(first.version)),
    )
    overdue = row(app, "reviews.overdue")
    client_request.post(f"/board/configure/rows/{overdue.id}/delete")
    client_request.post(f"/board/configure/rows/{first.id}/move/down")
    panels = section_id(app, "Panels")
    held = "reviews.held"
    client_request.post(f"/board/configure/sections/{panels}/rows/new", row_data(indicator_id=held, unit="No."))
    client_request.post(f"/board/configure/sections/{section_id(app, 'Safety')}/delete")

    after = frozen_values(app)
    assert after["reviews.in_timescale"] == before["reviews.in_timescale"]
    kept = {k: v for k, v in before.items() if k in after}
    assert {k: after[k] for k in kept} == kept
    assert after[held][0] == 3 and after[held][3] is False  # the new row reads the frozen month too
    assert "reviews.overdue" not in after


def test_deleting_a_section_says_what_goes_with_it_and_keeps_the_others_commentary(app, admin, client_request):
    from tracker.board.models import SectionCommentary

    safety, panels = section_id(app, "Safety"), section_id(app, "Panels")
    with app.app_context():
        for section in (safety, panels):
            db.session.add(SectionCommentary(section_id=section, month=APRIL, text="Steady", author="A manager"))
        db.session.commit()
    confirm = client_request.get(f"/board/configure/sections/{safety}/delete")
    assert confirm.text_of("#extra") == "The managers' commentary on it (1 month) will be deleted too."
    client_request.post(f"/board/configure/sections/{safety}/delete")
    with app.app_context():
        left = db.session.scalars(select(SectionCommentary.section_id)).all()
    assert left == [panels]
    [deleted] = audit_rows(app, "scorecard_section.delete")
    assert deleted.before["commentaries"] == 1


def test_the_last_section_and_row_move_no_further(app, admin, client_request):
    panels = section_id(app, "Panels")
    page = client_request.post(f"/board/configure/sections/{panels}/move/down", follow=True, status=200)
    assert page.banner == "Important Section Panels is last already."
    last = row(app, "carer_reviews.overdue")
    page = client_request.post(f"/board/configure/rows/{last.id}/move/down", follow=True, status=200)
    assert page.banner.startswith("Important Row ") and page.banner.endswith(" is last in its section already.")
    assert audit_rows(app, "scorecard_section.update") == audit_rows(app, "scorecard_row.update") == []
