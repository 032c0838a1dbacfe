"""A LADO's day in a real Chromium: an anonymous consultation, two named contacts about the same
person (advice, then one that becomes a referral), IEM and PAIM (one changed afterwards), the
outcome and an action; the person's page lists both of their contacts, and the posted search
finds them without their name in the URL. The referral page's "Deadlines" table shows the open
deadlines the worklist computes, and a PAIM is not due once the outcome is recorded. References
are the database's (LC…, LR…, LM…, LA…). axe-core checks every page visited."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


def fill_date(page, name: str, day: dt.date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def deadlines(page) -> dict[str, str]:
    """The referral page's open deadlines: {worklist kind: state}."""
    from playwright.sync_api import expect

    expect(page.locator("#deadlines, #deadlines-none")).to_have_count(1)  # the referral page has loaded
    return {
        row.locator("[data-due-kind]").get_attribute("data-due-kind"): row.locator("[data-due-state]").get_attribute(
            "data-due-state"
        )
        for row in page.locator("#deadlines tbody tr").all()
    }


def log_contact(
    page,
    live_server,
    *,
    sector: str,
    disposition: str,
    person_ref: str | None = None,
    name: str | None = None,
    day: dt.date | None = None,
):
    page.goto(live_server("/lado/contacts/new"))
    if day:
        fill_date(page, "contact_date", day)
    page.select_option("#employer_sector", sector)
    page.check(f"input[name=disposition][value={disposition}]")
    if person_ref:
        page.fill("#person_ref", person_ref)
    if name:
        page.fill("#person_name", name)
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_load_state()


def test_lado_logs_contacts_runs_a_referral_and_finds_the_person(page, live_server, sign_in):
    from playwright.sync_api import expect

    ref = "PB" + uuid.uuid4().hex[:6].upper()
    sign_in(page, "lado@example.org")

    # the quick contact form: accessible, and an error keeps what was typed
    page.goto(live_server("/lado/contacts/new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    assert axe_check(page) == []
    page.fill("#person_name", "Kept Name")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the employer sector")
    expect(page.locator("#person_name")).to_have_value("Kept Name")
    assert axe_check(page) == []

    # 1. an anonymous consultation
    log_contact(page, live_server, sector="sport", disposition="advice")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(re.compile(r"Contact LC\d{5} saved"))
    expect(page).to_have_url(re.compile(r"/lado/contacts/LC\d{5}$"))
    expect(page.locator("main")).to_contain_text("Anonymous consultation")
    assert axe_check(page) == []

    # 2. a named advice contact, 3. a named contact about the same person that becomes a referral
    log_contact(page, live_server, sector="education", disposition="advice", person_ref=ref, name="Pat Browser")
    expect(page.get_by_role("link", name="Pat Browser", exact=True)).to_be_visible()  # by name, then the reference
    expect(page.locator("main")).to_contain_text(f"Pat Browser ({ref})")
    log_contact(page, live_server, sector="education", disposition="advice", person_ref=ref)
    page.get_by_role("link", name="Progress to a referral").click()
    page.get_by_role("button", name="Progress to a referral").click()
    expect(page).to_have_url(re.compile(r"/lado/referrals/LR\d{5}$"))
    referral_url = page.url
    referral_id = referral_url.rsplit("/", 1)[1]
    assert deadlines(page).keys() == {"lado_iem"}

    today = dt.date.today()
    for kind in ("iem", "paim"):
        page.get_by_role("link", name="Record a meeting").click()
        expect(page.locator(f"input[name=meeting_type][value={kind}]")).to_be_checked()  # the next one is suggested
        fill_date(page, "meeting_date", today)
        page.fill("#decisions", f"{kind} decisions")
        page.get_by_role("button", name="Save meeting").click()
        expect(page).to_have_url(referral_url)
        if kind == "iem":
            assert deadlines(page).keys() == {"lado_paim"}  # the IEM is held: the PAIM is next
    expect(page.locator("#deadlines-none")).to_be_visible()  # both held: no meeting is due

    page.get_by_role("link", name="Record the outcome").click()
    expect(page.locator("main")).to_contain_text("insufficient evidence either to prove or disprove")
    page.check("input[name=outcome][value=unsubstantiated]")
    page.get_by_role("button", name="Save outcome").click()
    expect(page).to_have_url(referral_url)

    page.get_by_role("link", name="Add an action").click()
    page.fill("#description", "Safer recruitment training for the school")
    page.fill("#owner", "Head teacher")
    fill_date(page, "due_date", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Add action").click()
    expect(page).to_have_url(referral_url)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(re.compile(r"Action LA\d{6} added"))
    expect(page.locator("#actions [data-due-kind=lado_action]")).to_have_count(1)  # its deadline, from the worklist

    timeline = page.locator("#timeline")
    for text in (
        "Contact",
        "Referral",
        "Initial Evaluation Meeting",
        "Post-Allegation Investigation Meeting",
        "Outcome: Unsubstantiated",
    ):
        expect(timeline).to_contain_text(text)
    expect(page.locator("main")).to_contain_text("Safer recruitment training for the school")
    assert axe_check(page) == []

    # a meeting's details can be changed from the referral page
    expect(page.get_by_role("link", name=re.compile(r"^Change meeting LM\d{6}$"))).to_have_count(2)
    page.get_by_role("link", name=re.compile(r"^Change meeting")).first.click()
    expect(page.locator("#decisions")).to_have_value("iem decisions")
    page.fill("#decisions", "iem decisions, revised")
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(referral_url)
    expect(timeline).to_contain_text("iem decisions, revised")

    # the person's page (at their public id, never their reference) lists both of that person's
    # contacts, and the referral
    page.goto(referral_url)
    page.get_by_role("link", name="Pat Browser", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Person {ref}")
    assert ref not in page.url
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table")).to_contain_text(referral_id)
    expect(page.locator("table")).to_contain_text("Unsubstantiated")
    assert axe_check(page) == []

    # the search is posted: the name never reaches the address bar (nor the server's request log)
    page.goto(live_server("/lado/search"))
    page.fill("#name", "Pat Browser")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(live_server("/lado/search"))
    expect(page.locator("main table")).to_contain_text(ref)
    assert "Pat" not in page.url and "Browser" not in page.url
    assert axe_check(page) == []


def test_a_paim_is_not_due_once_the_outcome_is_recorded(page, live_server, sign_in):
    """The referral page and the worklist agree: an overdue PAIM stops being due when the
    outcome is recorded without one."""
    from playwright.sync_api import expect

    from tracker.core.clock import today

    day = today()
    sign_in(page, "lado@example.org")
    log_contact(page, live_server, sector="health", disposition="referral", day=day - dt.timedelta(days=150))
    expect(page).to_have_url(re.compile(r"/lado/referrals/LR\d{5}$"))
    referral_url, referral_id = page.url, page.url.rsplit("/", 1)[1]
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"referral {referral_id} opened")

    page.get_by_role("link", name="Record a meeting").click()
    fill_date(page, "meeting_date", day - dt.timedelta(days=140))
    page.fill("#late_reason", "The employer was slow to reply")  # its deadline has passed: asked why
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(referral_url)
    assert deadlines(page) == {"lado_paim": "overdue"}
    expect(page.locator("#deadlines")).to_contain_text("Overdue")
    page.goto(live_server("/worklist/mine"))
    expect(page.get_by_role("link", name=re.compile(referral_id))).to_have_count(1)

    page.goto(referral_url)
    page.get_by_role("link", name="Record the outcome").click()
    page.check("input[name=outcome][value=unfounded]")
    page.fill("#outcome_late_reason", "Waiting for the police")  # long after its timescale
    page.get_by_role("button", name="Save outcome").click()
    expect(page).to_have_url(referral_url)
    expect(page.locator("#deadlines-none")).to_be_visible()
    assert deadlines(page) == {}
    assert axe_check(page) == []
    page.goto(live_server("/worklist/mine"))
    expect(page.get_by_role("link", name=re.compile(referral_id))).to_have_count(0)


KNOWN_NAME, KNOWN_DOB = "Morgan Hale", dt.date(1986, 2, 14)


def known_person(live_server) -> tuple[str, str, str]:
    """A person already known: an earlier referral about them (IEM, outcome, closed), made
    through the operations. Returns their reference, the contact's and the referral's."""
    from tests.lado import factories
    from tracker.extensions import db

    with live_server.app.app_context():
        earlier = factories.referral(
            dt.date(2023, 6, 12),
            person_name=KNOWN_NAME,
            person_dob=KNOWN_DOB,
            organisation_name="Oakfield Primary School",
            subject_role="Teaching assistant",
            categories=["physical"],
        )
        factories.meeting(earlier, "iem", dt.date(2023, 6, 14))
        factories.outcome(earlier, "unsubstantiated", dt.date(2023, 7, 3))
        factories.closed(earlier, dt.date(2023, 7, 4))
        db.session.commit()
        return earlier.contact.person_ref, earlier.contact_id, earlier.referral_id


def test_lado_follows_a_possible_match_and_closes_the_referral(page, live_server, sign_in, monkeypatch):
    """Issue 11: a concern about a person already known. The contact form offers them before
    saving (the earlier contact and its referral shown); the LADO links the contact to them,
    then records the IEM, a late PAIM and a late outcome (each asking the reason for the delay)
    and closes the referral with its checklist. The person's page lists both concerns. The
    app's today (``TODAY``) moves on as the weeks pass; axe-core checks every page visited."""
    from playwright.sync_api import expect

    from tracker.formatters import format_date, format_date_short

    def on(day: dt.date) -> None:
        monkeypatch.setitem(live_server.app.config, "TODAY", day)

    person_ref, earlier_contact, earlier_referral = known_person(live_server)
    on(dt.date(2024, 9, 2))  # a Monday
    sign_in(page, "lado@example.org")

    # a concern about someone with the same name and date of birth: offered before it is saved
    page.goto(live_server("/lado/"))
    page.locator("a.govuk-button", has_text="Log a contact").click()
    expect(page.locator("#contact_date-day")).to_have_value("2")  # today, by default
    page.select_option("#employer_sector", "sport")
    page.check("input[name=disposition][value=referral]")
    page.fill("#person_name", KNOWN_NAME)
    fill_date(page, "person_dob", KNOWN_DOB)
    page.fill("#subject_role", "Swimming coach")
    page.fill("#organisation_name", "Riverside Swimming Club")
    page.check("input[name=categories][value=physical]")
    page.fill("#summary", "A parent saw the coach grab a child by the arm at training.")
    page.get_by_role("button", name="Save contact").click()
    panel = page.locator("#possible-matches")
    expect(panel).to_contain_text("Possible previous concerns")
    expect(page.locator(".govuk-summary-card[id^=match-]")).to_have_count(1)
    match = page.locator("#match-1")
    expect(match.locator("h3")).to_have_text(f"{KNOWN_NAME} ({person_ref})")
    expect(match).to_contain_text("Same name and date of birth")
    expect(match).to_contain_text(format_date(KNOWN_DOB))
    history = match.locator("table tbody tr")
    expect(history).to_have_count(1)
    for text in (format_date_short(dt.date(2023, 6, 12)), earlier_contact, earlier_referral, "Unsubstantiated"):
        expect(history).to_contain_text(text)
    expect(page.locator("#summary")).to_have_value("A parent saw the coach grab a child by the arm at training.")
    assert page.url == live_server("/lado/contacts/new")  # not saved yet
    assert axe_check(page) == []

    page.get_by_label(f"Link to this person: {KNOWN_NAME} ({person_ref})").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page).to_have_url(re.compile(r"/lado/referrals/LR\d{5}$"))
    referral_url, referral_id = page.url, page.url.rsplit("/", 1)[1]
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        re.compile(rf"Contact LC\d{{5}} saved and referral {referral_id} opened")
    )
    contact_id = page.get_by_role("link", name=re.compile(r"^LC\d{5}$")).inner_text()
    assert contact_id != earlier_contact
    expect(page.get_by_role("link", name=KNOWN_NAME, exact=True)).to_be_visible()  # the subject: the person known
    expect(page.locator("main")).to_contain_text(f"{KNOWN_NAME} ({person_ref})")
    expect(page.locator("#repeat-concerns")).to_contain_text("The 2nd contact about this person in 2 years")
    assert deadlines(page).keys() == {"lado_iem"}
    assert axe_check(page) == []

    # the IEM, three days later: within its 5 working days, so no reason is asked
    on(dt.date(2024, 9, 5))
    page.get_by_role("link", name="Record a meeting").click()
    expect(page.locator("input[name=meeting_type][value=iem]")).to_be_checked()
    expect(page.locator("#meeting_date-day")).to_have_value("5")
    expect(page.locator("#late_reason")).to_have_count(0)
    page.fill("#attendees", "LADO, club welfare officer, police")
    page.fill("#decisions", "Club to investigate; coach suspended meanwhile")
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(referral_url)
    assert deadlines(page).keys() == {"lado_paim"}

    # the PAIM, a week after its 28 days: the page asks why, and will not save without a reason
    on(dt.date(2024, 10, 10))
    page.get_by_role("link", name="Record a meeting").click()
    expect(page.locator("input[name=meeting_type][value=paim]")).to_be_checked()
    expect(page.locator("main")).to_contain_text(
        f"The Post-Allegation Investigation Meeting (PAIM) was due by {format_date(dt.date(2024, 10, 3))}"
    )
    page.fill("#decisions", "Allegation substantiated by the club's investigation")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"The Post-Allegation Investigation Meeting (PAIM) was due by {format_date(dt.date(2024, 10, 3))}: enter the reason for the delay"
    )
    page.fill("#late_reason", "Waiting for the police to finish their enquiries")
    assert axe_check(page) == []
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(referral_url)
    expect(page.locator("#meetings")).to_contain_text(
        "Later than its deadline: Waiting for the police to finish their enquiries"
    )
    expect(page.locator("#deadlines-none")).to_be_visible()

    # the outcome, after its 28 days from the contact: the reason is asked; the IEM was held
    on(dt.date(2024, 10, 14))
    page.get_by_role("link", name="Record the outcome").click()
    expect(page.locator("main")).to_contain_text(f"The outcome was due by {format_date(dt.date(2024, 9, 30))}")
    expect(page.locator("#no-iem")).to_have_count(0)
    page.check("input[name=outcome][value=substantiated]")
    page.fill("#outcome_late_reason", "Waiting for the police to finish their enquiries")
    assert axe_check(page) == []
    page.get_by_role("button", name="Save outcome").click()
    expect(page).to_have_url(referral_url)
    expect(page.locator("main")).to_contain_text(f"Substantiated ({format_date(dt.date(2024, 10, 14))})")

    # closed the next day, with the checklist
    on(dt.date(2024, 10, 15))
    page.get_by_role("link", name="Close", exact=True).click()
    expect(page.locator("h1")).to_contain_text(f"Close referral {referral_id}")
    expect(page.locator("main")).to_contain_text(f"Substantiated ({format_date(dt.date(2024, 10, 14))})")
    expect(page.locator("#closed_date-day")).to_have_value("15")
    checklist = page.locator("#checklist")
    checklist.get_by_label("A referral to the DBS has been considered").check()
    checklist.get_by_label("The child or family has been told the outcome").check()
    assert axe_check(page) == []
    page.get_by_role("button", name="Close the referral").click()
    expect(page).to_have_url(referral_url)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral closed.")
    expect(page.locator("main")).to_contain_text("This referral is closed and read-only")
    expect(page.locator("#deadlines-none")).to_have_text("No meeting is due: the referral is closed.")
    expect(page.get_by_role("link", name="Record a meeting")).to_have_count(0)
    assert axe_check(page) == []

    # the person's history: both concerns, the earlier one first
    page.locator("#repeat-concerns").get_by_role("link", name="see their history").click()
    expect(page.locator("h1")).to_have_text(f"Person {person_ref}")
    expect(page.locator("main")).to_contain_text(
        f"2 contacts about this person in the 2 years to {format_date(dt.date(2024, 10, 15))}"
    )
    rows = page.locator("#history table tbody tr")
    expect(rows).to_have_count(2)
    for row, texts in zip(
        rows.all(),
        (
            (earlier_contact, "Oakfield Primary School", earlier_referral, "Unsubstantiated"),
            (contact_id, "Riverside Swimming Club", referral_id, "Substantiated"),
        ),
        strict=True,
    ):
        for text in texts:
            expect(row).to_contain_text(text)
    assert axe_check(page) == []
