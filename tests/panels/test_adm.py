"""The Agency Decision Maker (domain.md §7, interchange.md §3): the ``adm_decision`` due items —
one per case heard at a held meeting with final minutes, a recommendation other than
``not_applicable`` and no decision, due 7 working days after the final minutes, on the ADM
queue (blank owner: every ADM user's worklist) — and the decision itself: agreed, or not agreed
with the reasons, dated from the final minutes to today; it takes the item off the queue."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import _meetings_fixtures as fixtures
from tests.panels import factories

app_config, as_role, audit_rows, fingerprint, seed = (
    fixtures.app_config, fixtures.as_role, fixtures.audit_rows, fixtures.fingerprint, fixtures.seed,
)  # fmt: skip
date_boxes = fixtures.date_boxes
D = dt.date
AS_OF = fixtures.TODAY  # Monday 16 January 2023


def _items(as_of=AS_OF, **filters):
    from tracker.core import worklist

    return [
        (i.ref, i.owner, i.due_date, i.state.value) for i in worklist.collect(as_of, kinds=["adm_decision"], **filters)
    ]


# --- the due items, from records built by the operations --------------------------------------------


@pytest.fixture
def heard(seed):
    """A fostering meeting held on 10 January 2023 (quorate) and its cases' references by what they show."""
    from tracker.extensions import db
    from tracker.panels.models import MeetingStatus

    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        refs = {
            # final minutes + 7 working days: 10 January → 19 January, 11 → 20, 12 → 23
            "positive": factories.case(meeting, subject_ref="H1", recommendation="positive", minutes=D(2023, 1, 10)),
            "negative": factories.case(meeting, subject_ref="H2", recommendation="negative", minutes=D(2023, 1, 11)),
            "deferred": factories.case(meeting, subject_ref="H3", recommendation="deferred", minutes=D(2023, 1, 12)),
            "decided_later": factories.case(
                meeting, subject_ref="H4", recommendation="positive", minutes=D(2023, 1, 12)
            ),
            "decided": factories.case(
                meeting,
                subject_ref="H5",
                recommendation="positive",
                minutes=D(2023, 1, 12),
                decision=("agreed", D(2023, 1, 13)),
            ),  # fmt: skip
            "not_applicable": factories.case(
                meeting, "resignation", "H6", recommendation="not_applicable", minutes=D(2023, 1, 12)
            ),
            "no_minutes": factories.case(meeting, subject_ref="H7", recommendation="positive"),
            "no_recommendation": factories.case(meeting, subject_ref="H8"),
        }
        cancelled = factories.meeting("fostering", D(2023, 1, 3))
        refs["cancelled"] = factories.case(
            cancelled, subject_ref="H9", recommendation="positive", minutes=D(2023, 1, 4)
        )
        cancelled.status = MeetingStatus.cancelled  # as an import may carry it: heard at no held meeting
        db.session.flush()
        return {name: c.case_id for name, c in refs.items()}


def test_one_item_per_case_awaiting_a_decision(app, heard):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    with app.app_context():
        later = db.session.get(PanelCase, heard["decided_later"])
        later.adm_decision, later.adm_decision_date = "agreed", D(2023, 1, 20)  # dated after the as-of date
        db.session.commit()
        assert _items() == [
            (heard["positive"], "", D(2023, 1, 19), "due_soon"),
            (heard["negative"], "", D(2023, 1, 20), "due_soon"),
            (heard["deferred"], "", D(2023, 1, 23), "due_soon"),
            (heard["decided_later"], "", D(2023, 1, 23), "due_soon"),
        ]
        # on 19 January the first item is due that day (due soon, not overdue); from the 20th it is overdue and
        # the decision dated the 20th takes the other off
        assert _items(D(2023, 1, 19))[0] == (heard["positive"], "", D(2023, 1, 19), "due_soon")
        assert _items(D(2023, 1, 20))[0] == (heard["positive"], "", D(2023, 1, 19), "overdue")
        assert heard["decided_later"] not in [ref for ref, *_ in _items(D(2023, 1, 20))]


@pytest.mark.parametrize(
    "as_of, listed",
    [
        (D(2023, 1, 9), []),  # before the meeting: nothing heard yet
        (D(2023, 1, 10), ["positive"]),  # the meeting's day: only the minutes final that day
        (D(2023, 1, 11), ["positive", "negative"]),
        (D(2023, 1, 12), ["positive", "negative", "deferred", "decided_later", "decided"]),  # decided on the 13th
        (D(2023, 1, 13), ["positive", "negative", "deferred", "decided_later"]),
    ],
)
def test_items_as_of_a_date_count_only_what_had_happened_by_then(app, heard, as_of, listed):
    with app.app_context():
        assert [ref for ref, *_ in _items(as_of)] == [heard[name] for name in listed]


def test_the_items_are_on_every_adm_users_worklist_and_no_one_elses(app, heard, make_user):
    from tracker.core import worklist
    from tracker.extensions import db

    adm = make_user("adm@example.org", ["adm"], officer_id="ADM1")
    admin = make_user("admin@example.org", ["panel_admin"], officer_id="PA1")
    with app.app_context():
        adm_items = [i.ref for i in worklist.items_for(db.session.merge(adm), AS_OF, kind="adm_decision")]
        assert len(adm_items) == 4
        assert worklist.items_for(db.session.merge(admin), AS_OF, kind="adm_decision") == []
        assert len(_items(owner="ADM1")) == 4 and _items(owner="PA1") == []


# --- the ADM queue and the decision -------------------------------------------------------------------


def test_the_adm_queue_shows_the_worklists_deadlines(client_request, as_role, heard):
    as_role("adm")
    page = client_request.get("/panels/adm")
    rows = page.table("#adm-queue")
    assert [row[0].split()[0] for row in rows] == [
        heard[n] for n in ("positive", "negative", "deferred", "decided_later")
    ]
    assert rows[0][2:5] == ["Positive", "10 Jan 2023", "19 Jan 2023 Due soon"]
    assert page.deadlines() == {
        ("adm_decision", heard["positive"], "2023-01-19", "due_soon"),
        ("adm_decision", heard["negative"], "2023-01-20", "due_soon"),
        ("adm_decision", heard["deferred"], "2023-01-23", "due_soon"),
        ("adm_decision", heard["decided_later"], "2023-01-23", "due_soon"),
    }
    assert (
        page.links("#adm-queue")[f"Decide on case {heard['positive']}"] == f"/panels/cases/{heard['positive']}/decision"
    )


def test_agreeing_takes_the_case_off_the_queue_and_the_worklist(app, client_request, as_role, heard, audit_rows):
    case_id = heard["positive"]
    user = as_role("adm", officer_id="ADM1")
    posted = {"decision": "agreed", "decision_date": date_boxes(D(2023, 1, 16))}
    page = client_request.post(f"/panels/cases/{case_id}/decision", posted, follow=True, status=200)
    assert page.banner == f"Success Decision on case {case_id} recorded."
    assert page.h1 == "ADM queue"
    assert case_id not in [row[0].split()[0] for row in page.table("#adm-queue")]
    with app.app_context():
        assert case_id not in [ref for ref, *_ in _items()]
    mine = client_request.get("/worklist/mine")
    assert sorted(ref for _, ref, *_ in mine.deadlines()) == sorted(
        heard[n] for n in ("negative", "deferred", "decided_later")
    )
    case_page = client_request.get(f"/panels/cases/{case_id}")
    assert case_page.h1 == f"{case_id} Decided by the ADM"
    assert case_page.summary()["ADM decision"] == "Agreed with the recommendation 16 January 2023"
    [(action, object_id, before, after)] = audit_rows("panel_case.decision", object_id=case_id)
    assert (object_id, after) == (
        case_id,
        {"adm_decision": "agreed", "adm_decision_date": "2023-01-16", "adm_reasons": None},
    )
    assert user.officer_id == "ADM1"


def test_not_agreeing_needs_the_reasons(app, client_request, as_role, heard, fingerprint):
    case_id = heard["negative"]
    as_role("adm")
    before = fingerprint()
    posted = {"decision": "not_agreed", "decision_date": date_boxes(D(2023, 1, 16)), "reasons": "  "}
    page = client_request.post(f"/panels/cases/{case_id}/decision", posted, status=200)
    assert page.errors == ["Enter the reasons for not agreeing with the recommendation"]
    assert page.field_error("reasons") == "Enter the reasons for not agreeing with the recommendation"
    assert fingerprint() == before
    with app.app_context():
        assert case_id in [ref for ref, *_ in _items()]
    posted["reasons"] = "The assessment does not support the recommendation"
    client_request.post(f"/panels/cases/{case_id}/decision", posted)
    summary = client_request.get(f"/panels/cases/{case_id}").summary()
    assert summary["ADM decision"] == "Did not agree with the recommendation 16 January 2023"
    assert summary["Reasons"] == "The assessment does not support the recommendation"


@pytest.mark.parametrize(
    "case, posted, message",
    [
        ("positive", {"decision": "agreed"}, "Enter the date of the decision"),
        ("positive", {"decision_date": ["16", "1", "2023"]}, "Select whether you agree with the recommendation"),
        ("positive", {"decision": "agreed", "decision_date": ["9", "1", "2023"]}, "The decision must be on or after the day the minutes were finalised (10 January 2023)"),
        ("positive", {"decision": "agreed", "decision_date": ["17", "1", "2023"]}, "The date of the decision must be today or in the past"),
        ("not_applicable", {"decision": "agreed", "decision_date": ["16", "1", "2023"]}, "This case needs no decision: the panel's recommendation is not applicable"),
        ("no_minutes", {"decision": "agreed", "decision_date": ["16", "1", "2023"]}, "The panel's minutes are not final yet: the decision follows the final minutes"),
        ("no_recommendation", {"decision": "agreed", "decision_date": ["16", "1", "2023"]}, "The panel has not made a recommendation on this case yet"),
    ],
)  # fmt: skip
def test_a_decision_refused_says_why_and_saves_nothing(
    client_request, as_role, heard, fingerprint, case, posted, message
):
    as_role("adm")
    before = fingerprint()
    page = client_request.post(f"/panels/cases/{heard[case]}/decision", posted, status=200)
    assert page.errors == [message]
    assert fingerprint() == before


def test_the_decision_page_says_when_no_decision_can_be_made(client_request, as_role, heard):
    as_role("adm")
    page = client_request.get(f"/panels/cases/{heard['no_minutes']}/decision")
    assert page.text_of("#refusal") == "The panel's minutes are not final yet: the decision follows the final minutes."
    assert not page.select("main form")


@pytest.mark.parametrize("role", ["panel_admin", "manager"])
def test_only_the_adm_decides(client_request, as_role, heard, fingerprint, role):
    as_role(role)
    before = fingerprint()
    client_request.get(f"/panels/cases/{heard['positive']}/decision", status=403)
    posted = {"decision": "agreed", "decision_date": date_boxes(D(2023, 1, 16))}
    client_request.post(f"/panels/cases/{heard['positive']}/decision", posted, status=403)
    assert fingerprint() == before
    page = client_request.get("/panels/adm")
    assert not [href for href in page.hrefs("#adm-queue") if href.endswith("/decision")]
