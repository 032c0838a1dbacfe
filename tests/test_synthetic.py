"""The synthetic authority generator writes a valid, deterministic import file set."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tracker.core.calendar import add_months, add_working_days
from tracker.core.interchange import FILES
from tracker.core.permissions import Role
from tracker.demo import synthetic
from tracker.demo.synthetic import generate
from tracker.escalations.models import Area, Resolution, Stage
from tracker.lado.models import CarerAgency, CarerType, Category, Disposition, MeetingType, Outcome, Sector
from tracker.panels.models import AdmDecision, CaseType, MeetingStatus, Panel, Recommendation
from tracker.panels.models import CarerType as HouseholdCarer
from tracker.reviews.models import ContactType, LegalStatus, ParticipationCode

TODAY = dt.date(2026, 3, 18)
CHILDREN, YEARS = 60, 3

# The import format's files, column for column (interchange.md §1).
HEADERS = {name: ",".join(column.name for column in columns) for name, columns in FILES.items()}

# Columns holding something that must already have happened (never after today).
PAST_COLUMNS = {
    "care_periods.csv": ["start_date", "end_date"],
    "reviews.csv": ["review_date", "recommendations_date", "minutes_date"],
    "iro_contacts.csv": ["contact_date"],
    "escalations.csv": ["closed_date"],
    "escalation_stages.csv": ["started_date", "response_date"],
    "lado_contacts.csv": ["contact_date"],
    "lado_referrals.csv": ["referral_date", "outcome_date", "dbs_referral_date", "closed_date"],
    "lado_meetings.csv": ["meeting_date"],
    "lado_actions.csv": ["completed_date"],
    "panel_cases.csv": ["papers_sent_date", "minutes_final_date", "adm_decision_date"],
    "foster_households.csv": ["approval_date", "end_date"],
    "carer_reviews.csv": ["review_date"],
    "children.csv": ["date_of_birth"],
}
DATE_COLUMNS = {
    **PAST_COLUMNS,
    "lado_actions.csv": ["due_date", "completed_date"],
    "panel_meetings.csv": ["meeting_date"],
}

# The columns holding a code of one of the models' code lists (";" between several).
CODED_COLUMNS = {
    ("officers.csv", "roles"): Role,
    ("care_periods.csv", "legal_status"): LegalStatus,
    ("reviews.csv", "participation_code"): ParticipationCode,
    ("iro_contacts.csv", "contact_type"): ContactType,
    ("escalations.csv", "areas"): Area,
    ("escalations.csv", "resolution"): Resolution,
    ("escalation_stages.csv", "stage"): Stage,
    ("lado_contacts.csv", "employer_sector"): Sector,
    ("lado_contacts.csv", "categories"): Category,
    ("lado_contacts.csv", "disposition"): Disposition,
    ("lado_contacts.csv", "foster_carer_type"): CarerType,
    ("lado_contacts.csv", "foster_carer_agency"): CarerAgency,
    ("lado_referrals.csv", "outcome"): Outcome,
    ("lado_meetings.csv", "meeting_type"): MeetingType,
    ("panel_meetings.csv", "panel"): Panel,
    ("panel_meetings.csv", "status"): MeetingStatus,
    ("panel_cases.csv", "case_type"): CaseType,
    ("panel_cases.csv", "carer_type"): HouseholdCarer,
    ("panel_cases.csv", "recommendation"): Recommendation,
    ("panel_cases.csv", "adm_decision"): AdmDecision,
    ("foster_households.csv", "carer_type"): HouseholdCarer,
}
CODE_LISTS = sorted(set(CODED_COLUMNS.values()), key=lambda enum: enum.__name__)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def d(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    # No application context: the calendar is bank holidays only.
    path = tmp_path_factory.mktemp("synthetic")
    counts = generate(path, children=CHILDREN, years=YEARS, seed=7, today=TODAY)
    assert set(counts) == set(HEADERS)
    return path


@pytest.fixture(scope="module")
def data(outdir) -> dict[str, list[dict[str, str]]]:
    return {name: read_csv(outdir / name) for name in HEADERS}


# --------------------------------------------------------------------------- codes from the models


@pytest.mark.parametrize("enum", CODE_LISTS, ids=lambda enum: enum.__name__)
def test_the_generator_knows_exactly_the_codes_of_each_enum(enum):
    """A code added to a model's enum must be weighed in the generator; one dropped from it can no
    longer be spelt there (the generator names members, not copied strings)."""
    known = synthetic.KNOWN_CODES[enum]
    assert all(isinstance(code, enum) for code in known), f"not members of {enum.__name__}: {known}"
    unknown = set(enum) - set(known)
    assert not unknown, f"{enum.__name__} codes the generator does not know: {sorted(unknown)}"


def test_every_code_list_the_generator_knows_is_checked():
    assert set(synthetic.KNOWN_CODES) == set(CODE_LISTS)


def test_every_code_written_is_a_code_of_its_enum(data):
    for (name, column), enum in CODED_COLUMNS.items():
        written = {code for row in data[name] for code in row[column].split(";") if code}
        assert written, (name, column)
        assert written <= set(enum.codes()), (name, column, written - set(enum.codes()))
        assert written <= set(synthetic.KNOWN_CODES[enum]), (name, column)


def test_headers_are_the_import_formats_in_order():
    expected = [(name, [column.name for column in columns]) for name, columns in FILES.items()]
    assert list(synthetic.HEADERS.items()) == expected


# --------------------------------------------------------------------------- files and determinism


def test_every_file_has_the_exact_header_and_counts_match(outdir):
    counts = generate(outdir.parent / "again", children=CHILDREN, years=YEARS, seed=7, today=TODAY)
    for name, header in HEADERS.items():
        text = (outdir / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert lines[0] == header, name
        assert len(lines) - 1 == counts[name], name
    for name in HEADERS:
        if name not in ("escalations.csv", "escalation_stages.csv"):
            assert counts[name] > 0, f"{name} is empty"


def test_same_seed_and_today_give_identical_bytes(tmp_path):
    generate(tmp_path / "a", children=25, years=2, seed=3, today=TODAY)
    generate(tmp_path / "b", children=25, years=2, seed=3, today=TODAY)
    generate(tmp_path / "c", children=25, years=2, seed=4, today=TODAY)
    for name in HEADERS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert any((tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes() for name in HEADERS)


def test_dates_parse_and_nothing_that_must_have_happened_is_in_the_future(data):
    for name, columns in DATE_COLUMNS.items():
        for row in data[name]:
            for column in columns:
                d(row[column])  # parses
    for name, columns in PAST_COLUMNS.items():
        for row in data[name]:
            for column in columns:
                value = d(row[column])
                assert value is None or value <= TODAY, (name, column, row)
    for row in data["panel_meetings.csv"]:
        when = d(row["meeting_date"])
        if row["status"] == "booked":
            assert TODAY < when <= TODAY + dt.timedelta(weeks=6), row
        else:
            assert when <= TODAY, row


def test_history_spans_the_requested_years(data):
    starts = [d(r["contact_date"]) for r in data["lado_contacts.csv"]]
    assert min(starts) >= add_months(TODAY, -12 * YEARS)
    assert min(starts) <= add_months(TODAY, -12 * YEARS) + dt.timedelta(days=60)
    reviews = [d(r["review_date"]) for r in data["reviews.csv"]]
    assert max(reviews) >= TODAY - dt.timedelta(days=60)


def test_ids_are_unique(data):
    keys = {
        "officers.csv": "officer_id",
        "children.csv": "child_id",
        "reviews.csv": "review_id",
        "iro_contacts.csv": "contact_id",
        "escalations.csv": "escalation_id",
        "lado_contacts.csv": "contact_id",
        "lado_referrals.csv": "referral_id",
        "lado_meetings.csv": "meeting_id",
        "lado_actions.csv": "action_id",
        "panel_meetings.csv": "meeting_id",
        "panel_cases.csv": "case_id",
        "foster_households.csv": "household_id",
        "carer_reviews.csv": "review_id",
    }
    for name, key in keys.items():
        ids = [r[key] for r in data[name]]
        assert len(ids) == len(set(ids)), name
        assert all(ids), name
    stages = [(r["escalation_id"], r["stage"]) for r in data["escalation_stages.csv"]]
    assert len(stages) == len(set(stages))


def test_references_resolve(data):
    officers = {r["officer_id"] for r in data["officers.csv"]}
    children = {r["child_id"] for r in data["children.csv"]}
    referrals = {r["referral_id"] for r in data["lado_referrals.csv"]}
    contacts = {r["contact_id"] for r in data["lado_contacts.csv"]}
    meetings = {r["meeting_id"] for r in data["panel_meetings.csv"]}
    households = {r["household_id"] for r in data["foster_households.csv"]}
    escalations = {r["escalation_id"] for r in data["escalations.csv"]}
    for r in data["children.csv"]:
        assert r["iro_officer_id"] in officers
    for name in ("care_periods.csv", "reviews.csv", "iro_contacts.csv", "escalations.csv"):
        assert {r["child_id"] for r in data[name]} <= children, name
    assert {r["officer_id"] for r in data["reviews.csv"]} <= officers
    assert {r["officer_id"] for r in data["iro_contacts.csv"]} <= officers
    assert {r["raised_by"] for r in data["escalations.csv"]} <= officers
    assert {r["escalation_id"] for r in data["escalation_stages.csv"]} <= escalations
    assert {r["contact_id"] for r in data["lado_referrals.csv"]} <= contacts
    assert {r["referral_id"] for r in data["lado_meetings.csv"]} <= referrals
    assert {r["referral_id"] for r in data["lado_actions.csv"]} <= referrals
    assert {r["meeting_id"] for r in data["panel_cases.csv"]} <= meetings
    assert {r["lado_referral_id"] for r in data["panel_cases.csv"] if r["lado_referral_id"]} <= referrals
    assert {r["household_id"] for r in data["carer_reviews.csv"]} <= households
    assert {r["subject_ref"] for r in data["panel_cases.csv"]} <= households


def test_officers(data):
    rows = data["officers.csv"]
    roles = Counter(r["roles"] for r in rows)
    assert roles["qaro"] >= 3 and roles["lado"] == 2 and roles["lado_manager"] == 1
    assert roles["panel_admin"] == 2 and roles["adm"] == 1 and 1 <= roles["iro_manager"] <= 2
    emails = [r["email"] for r in rows]
    assert len(set(emails)) == len(emails)
    assert not {f"{role}@example.org" for role in Role} & set(emails), "the demo users' emails stay free"
    assert {r["team"] for r in rows if r["roles"] == "qaro"} <= {"North", "South", "East", "West"}


# --------------------------------------------------------------------------- children and reviews


def periods_by_child(data) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    periods = defaultdict(list)
    for r in data["care_periods.csv"]:
        periods[r["child_id"]].append((d(r["start_date"]), d(r["end_date"])))
    for spans in periods.values():
        spans.sort()
    return periods


def test_children_and_care_periods(data):
    periods = periods_by_child(data)
    dob = {r["child_id"]: d(r["date_of_birth"]) for r in data["children.csv"]}
    assert set(periods) == set(dob), "every child has a care period"
    for child, spans in periods.items():
        for start, end in spans:
            assert start >= dob[child]
            assert end is None or end >= start
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            assert e1 is not None and e1 < s2, f"overlap for {child}"
    for r in data["children.csv"]:
        child, born = r["child_id"], dob[r["child_id"]]
        eighteen = add_months(born, 18 * 12)
        for start, end in periods[child]:
            assert start < eighteen and (end or TODAY) < eighteen, "looked after only while 0-17"
        if periods[child][-1][1] is None:
            assert born <= TODAY < eighteen
        assert r["uasc"] in ("Y", "N") and r["iro_contact_expected"] in ("Y", "N")
        assert r["gender"] and r["ethnicity"] and r["first_name"] and r["last_name"]
    assert sum(1 for spans in periods.values() if len(spans) > 1) >= 1


def test_reviews_lie_in_a_care_period_and_follow_the_chain(data):
    periods = periods_by_child(data)
    dob = {r["child_id"]: d(r["date_of_birth"]) for r in data["children.csv"]}
    by_period = defaultdict(list)
    for r in data["reviews.csv"]:
        when = d(r["review_date"])
        inside = [p for p in periods[r["child_id"]] if p[0] <= when and (p[1] is None or when <= p[1])]
        assert len(inside) == 1, r
        by_period[(r["child_id"], inside[0][0])].append(when)
        code = r["participation_code"]
        under_four = add_months(dob[r["child_id"]], 48) > when
        assert (code == "PN0") == under_four, r
        for column in ("recommendations_date", "minutes_date"):
            assert r[column] == "" or d(r[column]) >= when
        assert r["advocate"] in ("Y", "N")
    on_time = total = 0
    for (_child, start), dates in by_period.items():
        dates.sort()
        assert len(dates) == len(set(dates))
        previous = None
        for i, held in enumerate(dates):
            if i == 0:
                due = add_working_days(start, 20)
            elif i == 1:
                due = add_months(previous, 3)
            else:
                due = add_months(previous, 6)
            total += 1
            on_time += held <= due
            previous = held
    assert total > 50
    assert 0.80 <= on_time / total <= 0.98, on_time / total


def test_iro_contacts_lie_in_care_periods(data):
    periods = periods_by_child(data)
    for r in data["iro_contacts.csv"]:
        when = d(r["contact_date"])
        assert any(s <= when and (e is None or when <= e) for s, e in periods[r["child_id"]]), r


def test_escalations(data):
    stages = defaultdict(list)
    for r in data["escalation_stages.csv"]:
        stages[r["escalation_id"]].append(r)
        assert r["response_date"] == "" or d(r["response_date"]) >= d(r["started_date"])
    for e in data["escalations.csv"]:
        own = stages[e["escalation_id"]]
        assert own, f"{e['escalation_id']} has no stage"
        starts = [d(s["started_date"]) for s in own]
        assert starts == sorted(starts)
        order = [Stage(s["stage"]).rank for s in own]
        assert order == sorted(order)
        areas = e["areas"].split(";")
        assert 1 <= len(areas) <= 3 and len(set(areas)) == len(areas)
        assert e["external_partner"] in {"", "health", "CAMHS", "education", "dentistry", "provider"}
        if e["closed_date"]:
            assert d(e["closed_date"]) >= max(starts)
            assert e["resolution"]
        else:
            assert e["resolution"] == ""


# --------------------------------------------------------------------------- LADO


def test_lado_contacts_and_referrals(data):
    contacts = {r["contact_id"]: r for r in data["lado_contacts.csv"]}
    referrals_by_contact = Counter(r["contact_id"] for r in data["lado_referrals.csv"])
    assert len(contacts) >= 30 * YEARS
    for c in contacts.values():
        cats = c["categories"].split(";")
        assert 1 <= len(cats) <= 2 and len(set(cats)) == len(cats)
        foster = c["employer_sector"] == Sector.foster_care
        assert bool(c["foster_carer_type"]) == foster and bool(c["foster_carer_agency"]) == foster
        if c["disposition"] == Disposition.standards_of_care:
            assert foster
        expected = 1 if c["disposition"] == Disposition.referral else 0
        assert referrals_by_contact[c["contact_id"]] == expected, c
    share = sum(c["disposition"] == Disposition.referral for c in contacts.values()) / len(contacts)
    assert 0.15 < share < 0.5
    subjects = Counter(c["subject_ref"] for c in contacts.values() if c["subject_ref"])
    assert any(n > 1 for n in subjects.values()), "some repeat subjects"
    for r in data["lado_referrals.csv"]:
        contact = contacts[r["contact_id"]]
        assert d(r["referral_date"]) >= d(contact["contact_date"])
        assert bool(r["outcome"]) == bool(r["outcome_date"]), r
        if r["outcome_date"]:
            assert d(r["outcome_date"]) >= d(r["referral_date"])
        if r["closed_date"]:
            assert r["outcome_date"] and d(r["closed_date"]) >= d(r["outcome_date"])
        if r["dbs_referral_date"]:
            assert r["outcome"] == Outcome.substantiated
        if r["returned_to_panel"] == "Y":
            assert contact["employer_sector"] == Sector.foster_care
            assert contact["foster_carer_agency"] == CarerAgency.own
        for column in ("police_investigation", "returned_to_panel", "child_informed"):
            assert r[column] in ("Y", "N")


def test_lado_meetings_and_actions(data):
    referrals = {r["referral_id"]: r for r in data["lado_referrals.csv"]}
    meetings = defaultdict(dict)
    for m in data["lado_meetings.csv"]:
        assert m["meeting_type"] not in meetings[m["referral_id"]]
        meetings[m["referral_id"]][m["meeting_type"]] = d(m["meeting_date"])
        assert d(m["meeting_date"]) >= d(referrals[m["referral_id"]]["referral_date"])
    for kinds in meetings.values():
        if MeetingType.paim in kinds:
            assert MeetingType.iem in kinds and kinds[MeetingType.paim] > kinds[MeetingType.iem]
    for a in data["lado_actions.csv"]:
        assert a["description"] and a["due_date"]


# --------------------------------------------------------------------------- panels and households


def test_panels(data):
    meetings = {m["meeting_id"]: m for m in data["panel_meetings.csv"]}
    referrals = {r["referral_id"]: r for r in data["lado_referrals.csv"]}
    assert {m["status"] for m in meetings.values()} <= {"booked", "held", "cancelled"}
    for m in meetings.values():
        assert m["panel"] in ("fostering", "adoption")
        if m["status"] == "held":
            assert 4 <= int(m["members_present"]) <= 8
    for c in data["panel_cases.csv"]:
        meeting = meetings[c["meeting_id"]]
        assert meeting["status"] != "cancelled"
        allowed = Panel(meeting["panel"]).case_types
        assert c["case_type"] in allowed
        assert c["carer_type"] in HouseholdCarer.codes()
        when = d(meeting["meeting_date"])
        if c["papers_sent_date"]:
            assert d(c["papers_sent_date"]) < when
        assert c["recommendation"] in {"", "positive", "deferred", "negative", "not_applicable"}
        if meeting["status"] == "booked":
            assert not (c["recommendation"] or c["minutes_final_date"] or c["adm_decision"])
        assert bool(c["adm_decision"]) == bool(c["adm_decision_date"]), c
        assert c["adm_decision"] in {"", "agreed", "not_agreed"}
        if c["minutes_final_date"]:
            assert d(c["minutes_final_date"]) > when
        if c["adm_decision_date"]:
            assert c["minutes_final_date"] and d(c["adm_decision_date"]) > d(c["minutes_final_date"])
        if c["lado_referral_id"]:
            assert c["case_type"] == "review_after_allegation"
            assert referrals[c["lado_referral_id"]]["returned_to_panel"] == "Y"


def test_foster_households_and_carer_reviews(data):
    households = {h["household_id"]: h for h in data["foster_households.csv"]}
    for h in households.values():
        assert h["carer_type"] in HouseholdCarer.codes()
        assert h["end_date"] == "" or d(h["end_date"]) >= d(h["approval_date"])
    for r in data["carer_reviews.csv"]:
        h = households[r["household_id"]]
        when = d(r["review_date"])
        assert when > d(h["approval_date"])
        assert h["end_date"] == "" or when <= d(h["end_date"])
        k = int(r["review_id"].rsplit("r", 1)[1])
        assert r["review_id"] == f"{h['household_id']}r{k}"
        assert r["to_panel"] == ("Y" if k == 1 or k % 3 == 0 else "N")


# --------------------------------------------------------------------------- the demo's caseloads


def test_the_demo_qaro_holds_a_real_caseload_and_the_rest_is_unchanged(outdir, tmp_path):
    """``caseload=True`` (``demo-data``) gives the demo QARO 50-70 children looked after today
    (domain.md §1), with reviews, IRO contacts and escalations inside their care periods, and
    leaves the rest of the authority as it is: every file starts with the rows written without
    it. The same seed gives the same files."""
    counts = generate(tmp_path / "a", children=CHILDREN, years=YEARS, seed=7, today=TODAY, caseload=True)
    generate(tmp_path / "b", children=CHILDREN, years=YEARS, seed=7, today=TODAY, caseload=True)
    for name in HEADERS:
        text = (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert text == (tmp_path / "b" / name).read_text(encoding="utf-8"), name
        assert text.startswith((outdir / name).read_text(encoding="utf-8")), name
        assert len(text.splitlines()) - 1 == counts[name], name
    data = {name: read_csv(tmp_path / "a" / name) for name in HEADERS}
    demo_qaro = synthetic.DEMO_OFFICERS[Role.qaro]
    qaro_of = {r["child_id"]: r["iro_officer_id"] for r in data["children.csv"]}
    periods = periods_by_child(data)
    looked_after = {child for child, spans in periods.items() if spans[-1][1] is None}
    assert 50 <= sum(1 for child in looked_after if qaro_of[child] == demo_qaro) <= 70
    assert max(sum(1 for c in looked_after if qaro_of[c] == q) for q in set(qaro_of.values()) - {demo_qaro}) < 20
    for name, column in (("reviews.csv", "review_date"), ("iro_contacts.csv", "contact_date")):
        for r in data[name]:
            when = d(r[column])
            assert when <= TODAY and any(s <= when and (e is None or when <= e) for s, e in periods[r["child_id"]]), r
    open_escalations = [e for e in data["escalations.csv"] if not e["closed_date"]]
    assert sum(1 for e in open_escalations if e["raised_by"] == demo_qaro and qaro_of[e["child_id"]] == demo_qaro) >= 2
    ids = [r["child_id"] for r in data["children.csv"]]
    assert len(ids) == len(set(ids))
