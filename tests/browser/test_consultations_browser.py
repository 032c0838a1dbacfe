"""A parent answers a pre-review consultation on a phone (375 px wide), with no account: opens
the personal link, answers, saves and comes back, checks the answers and sends them; the QARO then
reads the answers collated on the consultation's page. axe-core on every public page (at 375 px,
and the start page at a desktop width too); no cookie is ever set on the parent's browser."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_check

CHILD = "BRW-CON-1"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def parents_link(live_server):
    """Nia Cole (allocated to the demo QARO), a consultation before her review in 3 weeks, her
    mother asked by email: the personal link the invitation would carry."""
    from tracker.consultations import operations
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews import operations as reviews
    from tracker.reviews.models import Child

    with live_server.app.app_context():
        child = db.session.query(Child).filter_by(child_id=CHILD).one_or_none()
        if child is None:
            child = reviews.create_child(
                child_id=CHILD, first_name="Nia", last_name="Cole", date_of_birth=dt.date(2014, 2, 3),
                iro_officer_id="DEMO-QARO",
            )  # fmt: skip
            reviews.add_care_period(child, start_date=today() - dt.timedelta(days=200))
        round_ = operations.create_round(child, today() + dt.timedelta(days=21 + len(child_rounds(child))))
        mother = operations.add_respondent(
            round_, respondent_type="parent", name="Jo Cole", contact_method="email", email="jo@example.net"
        )
        token = operations.issue_link(mother, "invitation")
        db.session.commit()
        return live_server(f"/consult/{token}"), round_.round_id


def child_rounds(child):
    from tracker.consultations.queries import for_child

    return for_child(child)


def _accessible(page):
    violations = axe_check(page)
    assert violations == [], violations


def test_a_parent_answers_on_a_phone_and_the_qaro_reads_the_collated_answers(
    browser, live_server, sign_in, parents_link
):
    link, round_id = parents_link
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        phone.goto(link)
        assert phone.locator("h1").inner_text().startswith("Share your views before Nia's review on ")
        _accessible(phone)
        phone.get_by_role("button", name="Start now").click()

        assert phone.locator("h1").inner_text() == "How are the child's relationships with the people around them?"
        _accessible(phone)
        phone.get_by_label("How are the child's relationships").fill("She is close to her foster carer's daughter.")
        phone.get_by_role("button", name="Save and come back later").click()
        assert phone.locator("h1").inner_text() == "Your answers are saved"
        _accessible(phone)

        phone.goto(link)  # later, from the email again
        phone.get_by_role("button", name="Carry on").click()
        assert phone.locator("h1").inner_text() == "How is the child feeling and coping?"
        # by keyboard: type the answer, then Tab to "Save and continue" and press Enter
        phone.get_by_label("How is the child feeling and coping?").fill("Happier since the move.")
        phone.keyboard.press("Tab")
        phone.keyboard.press("Enter")  # the next page loads after the key press: wait for its heading
        expect(phone.locator("h1")).to_have_text("How is the child's health?")
        for _ in range(6):  # health … anything else: skipped, each optional
            _accessible(phone)
            phone.get_by_role("button", name="Save and continue").click()
        assert phone.locator("h1").inner_text() == "Would you like to speak to the reviewing officer before the review?"
        _accessible(phone)
        phone.get_by_label("Yes").check()
        phone.get_by_role("button", name="Save and continue").click()

        assert phone.locator("h1").inner_text() == "Check your answers before sending them"
        _accessible(phone)
        answers = phone.locator(".govuk-summary-list").inner_text()
        assert "She is close to her foster carer's daughter." in answers and "Happier since the move." in answers
        phone.get_by_role("button", name="Send your answers").click()
        assert phone.locator("h1").inner_text() == "Your answers have been sent"
        _accessible(phone)

        phone.goto(link)  # used: the neutral page
        assert phone.locator("h1").inner_text() == "This link does not open a form"
        _accessible(phone)
        assert context.cookies() == [], "a public page set a cookie"
        # no horizontal scrolling on the phone
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()

    desktop = browser.new_context(locale="en-GB")
    try:
        wide = desktop.new_page()
        wide.goto(live_server("/consult/" + "x" * 43))
        _accessible(wide)
        qaro = desktop.new_page()
        sign_in(qaro, "qaro@example.org")
        qaro.goto(live_server(f"/children/{CHILD}"))
        qaro.locator("#child-consultations").get_by_role("link", name=round_id).click()
        assert qaro.locator("h1").inner_text().startswith("Consultation before the review on ")
        _accessible(qaro)
        assert qaro.locator("#respondents").inner_text().count("Answered") == 1
        assert qaro.locator("dl[data-topic='relationships'] dd").inner_text() == (
            "She is close to her foster carer's daughter."
        )
        assert qaro.locator("ul[data-topic='speak'] li").inner_text() == "Parent: Jo Cole"
    finally:
        desktop.close()
