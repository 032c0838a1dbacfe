"""Foster carer reviews (domain.md §7): whether a review goes to panel (the rule, as a table), the
reviews' own rules, corrections and removals, the ``carer_review`` due items (interchange.md §3) at
their boundaries, and the ``carer_reviews.*`` indicators (kpis.md §5) with their drill-downs."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import factories
from tests.panels._household_fixtures import (
    TODAY,
    audit_actions,
    count,
    panel_case_about,
    panel_meeting_on,
    seed,
    version,
)

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def boxes(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


YEARLY = [D(2011 + n, 1, 3) for n in range(12)]  # a review each January from 2011 (approved 4 January 2010)


# --- the rule: which review goes to panel ----------------------------------------------------------


@pytest.mark.parametrize(
    "reviews,allegation,reasons",
    [
        (0, None, ["first"]),
        (1, None, []),
        (2, None, ["third_year"]),  # the next is the third
        (3, None, []),
        (4, None, []),
        (5, None, ["third_year"]),  # the sixth
        (8, None, ["third_year"]),  # the ninth
        (1, "awaiting a date", ["after_allegation"]),
        (1, "booked", ["after_allegation"]),
        (1, "heard", []),  # heard at a held meeting: done
        (0, "awaiting a date", ["first", "after_allegation"]),
        (2, "awaiting a date", ["third_year", "after_allegation"]),
    ],
)
def test_which_review_goes_to_panel(app, ctx, reviews, allegation, reasons):
    from tracker.panels import operations, queries

    household = factories.reviewed(factories.household(D(2010, 1, 4)), *YEARLY[:reviews])
    meeting = {"booked": panel_meeting_on(D(2023, 9, 5), "booked"), "heard": panel_meeting_on(D(2022, 9, 6))}
    if allegation is not None:
        panel_case_about(household.household_id, "review_after_allegation", meeting=meeting.get(allegation))
    panel_case_about("H0999", "review_after_allegation")  # another household's: not this one's
    assert [r.value for r in queries.household_row(household.household_id).reasons] == reasons
    review = operations.record_carer_review(household, review_date=D(2023, 6, 1))  # to panel as the rule says
    assert review.to_panel is bool(reasons)


def test_the_page_suggests_what_the_rule_says_and_the_adviser_may_say_otherwise(app, client_request, login_as):
    with seed(app):
        factories.reviewing_officer("F1")
        factories.household(D(2022, 6, 1), reviewing_officer_id="F1")
        factories.reviewed(factories.household(D(2021, 6, 1)), D(2022, 5, 30))
    login_as("panel_admin")
    first = client_request.get("/panels/households/H0001/reviews/new")
    assert first.text_of("#rule") == "This review goes to panel: First review after approval."
    assert first.one("input[name=to_panel][value=yes]").has_attr("checked")
    assert first.one("#reviewing_officer_id option[selected]")["value"] == "F1"
    second = client_request.get("/panels/households/H0002/reviews/new")
    assert second.text_of("#rule").startswith("By the rule, this review goes straight to the Agency Decision Maker")
    assert second.one("input[name=to_panel][value=no]").has_attr("checked")
    page = client_request.post(
        "/panels/households/H0002/reviews/new",
        {"review_date": boxes(D(2023, 5, 25)), "to_panel": "yes", "outcome": "approval_continues"},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Review CR00002 saved."
    assert page.table("#reviews")[0][:5] == [
        "CR00002",
        "25 May 2023",
        "Not recorded",
        "Panel",
        "Approval continues on the same terms",
    ]
    assert page.deadlines() == {("carer_review", "H0002", "2024-05-25", "upcoming")}  # from the review just recorded
    assert audit_actions(app, "carer_review")[-1][:2] == ("carer_review.create", "CR00002")


@pytest.mark.parametrize(
    "review_date,outcome,field,message",
    [
        (None, None, "review_date", "Enter the date of the review"),
        (D(2023, 7, 1), None, "review_date", "The date of the review must be today or in the past"),
        (D(2022, 1, 9), None, "review_date", "The review must be on or after the date of approval (10 January 2022)"),
        (D(2023, 6, 2), None, "review_date", "The review must be on or before the day the household ended (1 June 2023)"),
        (D(2023, 1, 9), None, "review_date", "The household already has a review on 9 January 2023: change that one instead"),
        (D(2023, 1, 10), "approved", "outcome", "'approved' is not a known code"),
    ],
)  # fmt: skip
def test_a_review_is_refused_with_a_clear_message(app, ctx, review_date, outcome, field, message):
    from tracker.core.errors import DomainError
    from tracker.panels import operations
    from tracker.panels.models import CarerReview

    household = factories.reviewed(factories.household(), D(2023, 1, 9))
    operations.end_household(household, end_date=D(2023, 6, 1), end_reason="resigned")
    with pytest.raises(DomainError) as refused:
        operations.record_carer_review(household, review_date=review_date, outcome=outcome)
    assert (refused.value.field, refused.value.message[: len(message)]) == (field, message)
    assert count(app, CarerReview) == 1


def test_a_review_is_corrected_and_one_recorded_by_mistake_removed(app, client_request, login_as):
    from tracker.panels.models import CarerReview

    with seed(app):
        factories.reviewed(factories.household(D(2021, 6, 1)), D(2022, 5, 30), D(2023, 5, 29))
    login_as("panel_admin")
    edit = client_request.get("/panels/households/H0001/reviews/CR00002/edit")
    page = client_request.post(
        "/panels/households/H0001/reviews/CR00002/edit",
        {"version": version(edit), "review_date": boxes(D(2023, 5, 2)), "to_panel": "no", "outcome": "terms_changed"},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Review CR00002 saved."
    assert page.deadlines() == {("carer_review", "H0001", "2024-05-02", "upcoming")}
    refused = client_request.post("/panels/households/H0001/reviews/CR00002/remove", {"reason": " "}, status=200)
    assert refused.errors == ["Enter why the review is being removed"]
    page = client_request.post(
        "/panels/households/H0001/reviews/CR00002/remove",
        {"reason": "Recorded against the wrong household"},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Review CR00002 removed."
    assert [r[0] for r in page.table("#reviews")] == ["CR00001"]
    assert page.deadlines() == {("carer_review", "H0001", "2023-05-30", "overdue")}  # due from the review before again
    assert count(app, CarerReview) == 1
    actions = audit_actions(app, "carer_review")
    assert [a[:2] for a in actions[-2:]] == [("carer_review.update", "CR00002"), ("carer_review.remove", "CR00002")]
    assert actions[-2][2] == {"review_date": "2023-05-29", "outcome": None}
    assert actions[-1][2]["review_date"] == "2023-05-02"
    assert actions[-1][3] == {"reason": "Recorded against the wrong household"}
    client_request.get("/panels/households/H0001/reviews/CR00002/edit", status=404)
    client_request.get("/panels/households/H0002/reviews/CR00001/edit", status=404)  # not that household's


# --- the carer_review due items (interchange.md §3) ---------------------------------------------------

AS_OF = D(2023, 1, 16)


@pytest.fixture
def households(app):
    with seed(app):
        from tracker.panels import operations

        factories.reviewing_officer("F1")
        factories.reviewed(factories.household(D(2021, 1, 10)), D(2021, 12, 1), D(2023, 2, 1))  # H0001
        gone = factories.household(D(2020, 1, 10))  # H0002: ended before the as-of date
        operations.end_household(gone, end_date=D(2022, 6, 1), end_reason="resigned")
        later = factories.reviewed(factories.household(D(2020, 3, 10)), D(2022, 3, 10))  # H0003: ended after it
        operations.end_household(later, end_date=D(2023, 3, 1), end_reason="adopted")
        factories.household(D(2022, 1, 16))  # H0004: due on the as-of date
        factories.household(D(2022, 1, 15), reviewing_officer_id="F1")  # H0005: due the day before
        factories.household(D(2023, 2, 1))  # H0006: approved after it


def test_one_item_per_household_fostering_on_the_as_of_date(app, households):
    from tracker.core import worklist

    with app.app_context():
        items = [i.as_dict() for i in worklist.collect(AS_OF, kinds=["carer_review"])]
        urls = {i.ref: i.url for i in worklist.collect(AS_OF, kinds=["carer_review"])}
    assert items == [
        {"kind": "carer_review", "ref": "H0001", "owner": "", "due_date": "2022-12-01", "state": "overdue"},
        {"kind": "carer_review", "ref": "H0005", "owner": "F1", "due_date": "2023-01-15", "state": "overdue"},
        {"kind": "carer_review", "ref": "H0004", "owner": "", "due_date": "2023-01-16", "state": "due_soon"},
        {"kind": "carer_review", "ref": "H0003", "owner": "", "due_date": "2023-03-10", "state": "upcoming"},
    ]  # H0001's review dated after the as-of date does not count; H0002 had ended; H0006 was not approved yet
    assert urls["H0004"] == "/panels/households/H0004"


def test_the_items_of_households_without_a_reviewing_officer_are_the_fostering_teams(app, households):
    from tracker.auth import operations as users
    from tracker.core import worklist

    with seed(app):
        adviser = users.create_user(
            email="adviser@example.org", name="Adviser", roles=("panel_admin",), password=None, actor="test"
        )
        adm = users.create_user(email="adm@example.org", name="ADM", roles=("adm",), password=None, actor="test")
        officer = db_user("F1")
        mine = [i.ref for i in worklist.items_for(officer, AS_OF, kind="carer_review")]
        queue = [i.ref for i in worklist.items_for(adviser, AS_OF, kind="carer_review")]
        none = worklist.items_for(adm, AS_OF, kind="carer_review")
    assert mine == ["H0001", "H0005", "H0004", "H0003"]  # F1's own and, as a panel administrator, the team's
    assert queue == ["H0001", "H0004", "H0003"]
    assert none == []


def db_user(officer_id: str):
    from tracker.auth.models import user_by_officer_id

    return user_by_officer_id(officer_id)


# --- the indicators (kpis.md §5) -----------------------------------------------------------------------


@pytest.fixture
def reviewed_year(app):
    with seed(app):
        from tracker.panels import operations

        factories.reviewed(factories.household(D(2021, 5, 1)), D(2022, 4, 30), D(2023, 5, 10))  # in time; after A
        factories.reviewed(factories.household(D(2021, 3, 1)), D(2022, 3, 15), D(2023, 3, 20))  # late (due 15 Mar)
        factories.household(D(2022, 1, 31))  # no review: due 31 Jan 2023, overdue at A
        ended = factories.reviewed(factories.household(D(2021, 1, 1)), D(2022, 6, 1))  # late, then ended
        operations.end_household(ended, end_date=D(2022, 12, 1), end_reason="resigned")


YEAR = (D(2022, 4, 1), D(2023, 3, 31))


@pytest.mark.parametrize(
    "as_of,held,in_time,overdue",
    [
        (D(2023, 3, 31), ["CR00001", "CR00005", "CR00004"], ["CR00001"], ["H0003"]),
        (D(2022, 12, 31), ["CR00001", "CR00005"], ["CR00001"], []),  # H0004 ended on 1 December 2022
        (D(2023, 3, 16), ["CR00001", "CR00005"], ["CR00001"], ["H0003", "H0002"]),  # a review after A: not yet held
    ],
)
def test_the_indicators_and_their_drill_downs(app, reviewed_year, as_of, held, in_time, overdue):
    from tracker.core import kpis

    period = kpis.Period(*YEAR, as_of)
    with app.app_context():
        figures = kpis.compute(period, ["carer_reviews.held", "carer_reviews.in_timescale", "carer_reviews.overdue"])
        assert figures["carer_reviews.held"].value == len(held)
        ratio = figures["carer_reviews.in_timescale"]
        assert (ratio.numerator, ratio.denominator) == (len(in_time), len(held))
        assert figures["carer_reviews.overdue"].value == len(overdue)
        drilled = {
            (ind, part): [r["ref"] for r in kpis.drill(ind, period, part)]
            for ind, part in (
                ("carer_reviews.held", "numerator"),
                ("carer_reviews.in_timescale", "numerator"),
                ("carer_reviews.in_timescale", "denominator"),
                ("carer_reviews.overdue", "numerator"),
            )
        }
        row = kpis.drill("carer_reviews.held", period)[0]
    assert sorted(drilled["carer_reviews.held", "numerator"]) == sorted(held)
    assert drilled["carer_reviews.in_timescale", "numerator"] == in_time
    assert sorted(drilled["carer_reviews.in_timescale", "denominator"]) == sorted(held)
    assert drilled["carer_reviews.overdue", "numerator"] == overdue
    assert row["url"].startswith("/panels/households/H000")
    assert row["label"] == "Review CR00001 of foster household H0001, 30 April 2022 (due 1 May 2022)"


def test_the_in_timescale_title_names_the_rule(app):
    from tracker.core import kpis

    with app.app_context():
        assert kpis.get("carer_reviews.in_timescale").title == (
            "Foster carer reviews held within 12 months of the approval or the previous review"
        )
