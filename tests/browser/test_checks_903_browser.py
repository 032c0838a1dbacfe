"""The IRO manager opens the SSDA903 checks, follows a failure to the review, corrects the code,
and is back on the checks with the failure gone (axe-core on both pages)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.helpers import axe_check

CHILD = "BRW-903-1"


@pytest.fixture
def failing_review(live_server):
    """A child under 4 whose review of the last collection year ended carries PN5 (rule 441), as
    an import of history would bring it (the form refuses it)."""
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews import operations, rules903
    from tracker.reviews.models import Child, Review

    year = rules903.year_of(today()) - 1
    start, _end = rules903.collection_year(year)
    with live_server.app.app_context():
        if db.session.query(Child).filter_by(child_id=CHILD).one_or_none() is None:
            child = operations.create_child(
                child_id=CHILD, first_name="Ada", last_name="Moss", date_of_birth=start - dt.timedelta(days=400)
            )
            operations.add_care_period(child, start_date=start)
            review = operations.record_review(
                child, review_date=start + dt.timedelta(days=30), participation_code="PN0"
            )
            db.session.commit()
            db.session.execute(
                Review.__table__.update().where(Review.__table__.c.id == review.id).values(participation_code="PN5")
            )
            db.session.commit()
    return year


def test_the_iro_manager_corrects_a_failing_review_from_the_checks(page, live_server, sign_in, failing_review):
    sign_in(page, "iro_manager@example.org")
    page.get_by_role("link", name="See the SSDA903 checks").click()
    assert page.locator("h1").inner_text().startswith("SSDA903 checks: ")
    assert CHILD in page.locator("#failures-441").inner_text()
    violations = axe_check(page)
    assert violations == [], violations

    page.locator("#failures-441").get_by_role("link", name=f"Correct the review of {CHILD}").click()
    assert page.locator("h1").inner_text() == f"Change the review of {CHILD}"
    radios = page.locator("input[name=participation_code]")
    assert radios.count() == 1  # a child under 4, a year that has ended: PN0 only
    violations = axe_check(page)
    assert violations == [], violations
    page.get_by_label("PN0: Child under 4 at the time of the review").check()
    page.get_by_role("button", name="Save review").click()

    assert page.locator("h1").inner_text().startswith("SSDA903 checks: ")
    assert "saved" in page.locator(".govuk-notification-banner").inner_text()
    assert CHILD not in page.locator("main").inner_text()
