"""The daily digest (issue 15), delivered through a real SMTP server: one email per person with
their overdue and due-soon items — exactly what ``due-items --owner`` lists for them — and one per
manager with the service's counts; never a child's name or date of birth; each message in plain
text and HTML; sent once a day (a second run sends nothing); a refused recipient is retried by
the next run without re-sending to anyone else; nothing on a weekend or a bank holiday; nothing
to a user who turned the digest off."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from .privacy import child_details, leaks

AS_OF = "2023-01-16"  # a Monday, a working day
QAROS = [f"Q{n}" for n in range(1, 11)]
OFFICERS = Path(__file__).resolve().parent.parent / "data" / "small-authority" / "data" / "officers.csv"


def officer_addresses() -> dict[str, str]:
    """officer_id → email of every officer in the small authority (Q1..Q10 and the LADO, L1)."""
    with OFFICERS.open(newline="", encoding="utf-8") as f:
        return {row["officer_id"]: row["email"] for row in csv.DictReader(f)}


ITEM_LINE = re.compile(r"^- (?P<due>\d{1,2} [A-Z][a-z]+ \d{4}) \((?P<state>[^)]+)\): (?P<kind>.+) (?P<ref>\S+)$")
TEAM_LINE = re.compile(r"^- (?P<officer>[^,]+), (?P<kind>.+): (?P<overdue>\d+) overdue, (?P<due_soon>\d+) due soon$")


def due_items(runner, owner: str | None = None) -> list[dict]:
    """The real ``due-items`` command's overdue and due-soon items (one officer's, or all)."""
    args = ["due-items", "--as-of", AS_OF, "--format", "json"] + (["--owner", owner] if owner else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return [i for i in json.loads(result.output)["items"] if i["state"] in ("overdue", "due_soon")]


def listed(text: str) -> list[tuple[str, dt.date]]:
    """(reference, due date) of each item a digest's text part lists, in its order."""
    rows = [ITEM_LINE.match(line) for line in text.splitlines()]
    return [(m["ref"], dt.datetime.strptime(m["due"], "%d %B %Y").date()) for m in rows if m]


def notifications(app, kind: str | None = None):
    from tracker.extensions import db
    from tracker.jobs.models import Notification

    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        rows = list(db.session.scalars(query))
        return [(r.user.email, r.kind.value, r.key, r.status.value, r.attempts, r.last_error) for r in rows]


@pytest.fixture
def authority(small_authority, app):
    return small_authority


def test_each_officer_gets_one_digest_listing_exactly_their_due_items(authority, runner, run, smtp):
    addresses = officer_addresses()
    assert set(QAROS) | {"L1"} == set(addresses)
    expected = {q: due_items(runner, q) for q in addresses}
    assert sum(bool(v) for v in expected.values()) >= 5, "the example should give most officers items"

    code, output, job = run("digest", AS_OF)

    assert code == 0, output
    assert job.status.value == "succeeded" and job.failed == 0
    by_address = Counter(m.to for m in smtp.messages)
    assert all(n == 1 for n in by_address.values()), by_address
    for q, address in addresses.items():
        got = smtp.handler.to(address)
        if not expected[q]:
            assert got == [], f"{q} has nothing overdue or due soon, yet got a digest"
            continue
        (received,) = got
        assert received.message["To"] == address
        assert received.message["From"] == "tracker@example.org"
        want = [(i["ref"], dt.date.fromisoformat(i["due_date"])) for i in expected[q]]
        assert listed(received.text) == want, q
        overdue = sum(1 for i in expected[q] if i["state"] == "overdue")
        assert received.subject == (
            f"Your tracker items: {overdue} overdue, {len(want) - overdue} due soon (16 Jan 2023)"
        )
        for ref, _ in want:  # and the HTML part lists (and links) the same items
            assert f">{ref}</a>" in received.html
    assert job.sent == len(smtp.messages)
    assert set(by_address) == {addresses[q] for q, items in expected.items() if items}  # no one else


def test_every_message_has_a_text_and_an_html_part_and_names_no_child(authority, app, run, smtp, make_user):
    make_user("head@example.org", roles=["iro_manager"])
    code, output, _ = run("digest", AS_OF)
    assert code == 0, output
    assert len(smtp.messages) >= 5
    for received in smtp.messages:
        assert received.message.is_multipart()
        assert received.message.get_content_type() == "multipart/alternative"
        assert received.text.strip() and "<html" in received.html
    details = child_details()
    assert len({child for child, _ in details}) == 80  # every child in children.csv
    assert leaks(smtp.messages, details) == []


def test_the_leak_check_finds_a_name_or_a_birth_date():
    """The check above can fail: it finds a child's name as a word and a date of birth in any format."""
    from .smtp import Received

    def message(text: str) -> Received:
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["Subject"], msg["To"] = "Digest", "q1@example.org"
        msg.set_content(text)
        msg.add_alternative("<html><p>nothing</p></html>", subtype="html")
        return Received(["q1@example.org"], msg)

    details = [("C00001", "Lily"), ("C00001", "17/01/2014"), ("C00001", "17 January 2014")]
    assert leaks([message("Review for Lily due")], details)
    assert leaks([message("born 17/01/2014")], details)
    assert leaks([message("born 17 January 2014.")], details)
    assert leaks([message("Lilywhite and 117 January 20145")], details) == []


def test_a_manager_gets_the_services_counts_by_kind_and_officer(authority, app, runner, run, smtp, make_user):
    from tracker.core import worklist

    manager = make_user("head@example.org", roles=["iro_manager"])
    every = due_items(runner)
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        visible = {k.kind: k.label for k in worklist.kinds_for(db.session.get(User, manager.id))}
    names = {f"Q{n}": f"Officer {n}" for n in range(1, 11)} | {"L1": "Designated Officer", "": "Not allocated"}
    want = Counter()
    for item in every:
        if item["kind"] in visible:
            want[(names[item["owner"]], visible[item["kind"]], item["state"])] += 1

    code, output, _ = run("digest", AS_OF)

    assert code == 0, output
    (received,) = smtp.handler.to("head@example.org")
    got = Counter()
    for line in received.text.splitlines():
        if m := TEAM_LINE.match(line):
            got[(m["officer"], m["kind"], "overdue")] += int(m["overdue"])
            got[(m["officer"], m["kind"], "due_soon")] += int(m["due_soon"])
    assert +got == want
    total_overdue = sum(n for (_, _, state), n in want.items() if state == "overdue")
    assert received.subject.startswith("Your service's tracker items: ")
    assert received.subject.endswith(" due soon (16 Jan 2023)")
    assert f": {total_overdue} overdue, " in received.subject
    assert ("head@example.org", "team_digest", AS_OF, "sent", 1, None) in notifications(app)
    assert [n for n in notifications(app) if n[0] == "head@example.org"] == [
        ("head@example.org", "team_digest", AS_OF, "sent", 1, None)
    ]


def test_a_user_who_turned_the_digest_off_gets_nothing(authority, app, runner, run, smtp, make_user):
    from tracker.auth.models import User
    from tracker.extensions import db

    assert due_items(runner, "Q4"), "Q4 has items in the example"
    with app.app_context():
        db.session.scalars(select(User).where(User.officer_id == "Q4")).one().receives_digest = False
        db.session.commit()
    make_user("quiet-head@example.org", roles=["iro_manager"], receives_digest=False)
    make_user("head@example.org", roles=["iro_manager"])

    code, output, _ = run("digest", AS_OF)

    assert code == 0, output
    assert smtp.handler.to("q4@example.org") == []
    assert smtp.handler.to("quiet-head@example.org") == []
    assert len(smtp.handler.to("head@example.org")) == 1  # the same role, digest on
    assert len(smtp.handler.to("q1@example.org")) == 1
    assert not [n for n in notifications(app) if n[0] in ("q4@example.org", "quiet-head@example.org")]


def test_a_second_run_the_same_day_sends_nothing(authority, app, run, smtp):
    code, output, first = run("digest", AS_OF)
    assert code == 0, output
    sent = len(smtp.messages)
    assert sent == first.sent > 0

    code, output, second = run("digest", AS_OF)

    assert code == 0, output
    assert len(smtp.messages) == sent  # the server received nothing more
    assert (second.sent, second.failed, second.skipped) == (0, 0, first.sent)
    assert f"sent 0, failed 0, already sent {first.sent}." in output
    assert all(n[3:5] == ("sent", 1) for n in notifications(app))


def test_a_refused_recipient_is_retried_next_run_and_no_one_else_is_sent_twice(authority, app, runner, run, smtp):
    assert due_items(runner, "Q2"), "Q2 has items in the example"
    smtp.handler.refuse.add("q2@example.org")

    code, output, first = run("digest", AS_OF)

    assert code != 0, output  # run-job says the run did not fully succeed
    assert first.status.value == "partly_failed"
    assert first.failed == 1 and first.sent >= 4
    assert "failed 1" in output
    delivered = Counter(m.to for m in smtp.messages)
    assert "q2@example.org" not in delivered
    assert len(delivered) == first.sent and set(delivered.values()) == {1}
    (q2,) = [n for n in notifications(app) if n[0] == "q2@example.org"]
    assert q2[1:5] == ("digest", AS_OF, "failed", 1)
    assert "550" in q2[5] and "mailbox unavailable" in q2[5]

    smtp.handler.refuse.clear()
    code, output, second = run("digest", AS_OF)

    assert code == 0, output
    assert second.status.value == "succeeded"
    assert (second.sent, second.failed, second.skipped) == (1, 0, first.sent)
    assert [m.to for m in smtp.messages[len(delivered) :]] == ["q2@example.org"]
    (q2,) = [n for n in notifications(app) if n[0] == "q2@example.org"]
    assert q2[1:] == ("digest", AS_OF, "sent", 2, None)


@pytest.mark.parametrize(
    "day",
    [
        "2023-01-14",  # a Saturday
        "2023-01-15",  # a Sunday
        "2023-05-01",  # the early May bank holiday (a Monday)
        "2023-05-08",  # the King's coronation bank holiday (a Monday)
        "2022-12-27",  # the substitute Christmas bank holiday (a Tuesday)
    ],
)
def test_no_digest_on_a_weekend_or_a_bank_holiday(authority, app, run, smtp, day):
    code, output, job = run("digest", day)
    assert code == 0, output
    assert smtp.messages == []
    assert (job.sent, job.failed, job.skipped) == (0, 0, 0)
    assert "not a working day" in job.detail
    assert notifications(app) == []
    code, output, job = run("digest", "2023-01-13")  # the same data on a Friday: sent
    assert job.sent > 0 and len(smtp.messages) == job.sent
