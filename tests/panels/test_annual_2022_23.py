"""The fostering panel chair's annual report 2022/23 (000:L652–L720) rebuilt from record-level data
imported through ``import-data``: every figure it quotes comes out of ``flask kpis`` (kpis.md §5).

"34 panel meetings were held over the reporting period out of a potential 46 booked dates. 139
cases were heard in total averaging 4.1 cases per panel. 1 extra ordinary panel ... and 12 panels
cancelled" (2.1); "There have been 3 differing ADM decisions" (6.7); and the table of case types
and recommendations (section 4).

How the table is read. As printed it adds up to 157 cases, not the 139 it totals, and its approvals
row has 35 cases presented but 34 positive and 2 negative recommendations. Reading the regulation 25
row's "20" as 2 (positive), the rows add up to 139; and the 23 connected-person approvals are taken as
22 positive and 1 negative (the positive column's 34 = 12 + 22 kept, its negative column's 2 not):

    case type                 presented   positive  deferred  negative  not applicable
    approval (mainstream)         12          12
    approval (connected)          23          22                  1
    reg 25 extension               2           2
    resignation                   33                                           33
    deregistration                 3                                            3
    first review                  26          26
    third-year review             19          19
    review after allegation       13          11         2
    change of terms (status)       8           7         1
    total                        139          99         3        1            36

The report gives no figure for papers, minutes or quoracy: here every held panel is quorate, papers
go two weeks ahead, minutes are final a week after the panel and the ADM decides three days later
(within 7 working days), so those figures are 100%. Of the 103 ADM decisions (every recommendation
but "not applicable"), 3 do not agree: the negative recommendation, one review after an allegation
and one change of terms.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

D = dt.date
START, END = D(2022, 4, 1), D(2023, 3, 31)

# (case type, carer type, recommendation, how many)
CASE_TABLE = [
    ("approval", "mainstream", "positive", 12),
    ("approval", "connected", "positive", 22),
    ("approval", "connected", "negative", 1),
    ("reg25_extension", "temporary", "positive", 2),
    ("resignation", "mainstream", "not_applicable", 33),
    ("deregistration", "mainstream", "not_applicable", 3),
    ("first_review", "mainstream", "positive", 26),
    ("third_year_review", "mainstream", "positive", 19),
    ("review_after_allegation", "mainstream", "positive", 11),
    ("review_after_allegation", "mainstream", "deferred", 2),
    ("change_of_terms", "mainstream", "positive", 7),
    ("change_of_terms", "mainstream", "deferred", 1),
]
# the three decisions that differ from the panel's recommendation (6.7)
NOT_AGREED = {("approval", "negative"), ("review_after_allegation", "positive"), ("change_of_terms", "positive")}
# no panel was booked in the two weeks around Christmas
NOT_BOOKED = {D(2022, 12, 20), D(2022, 12, 21), D(2023, 1, 3)}
EXTRAORDINARY = D(2022, 8, 31)  # "held on 31st at the request of Corporate Director" (3.1)


def first_and_third(year: int, month: int, weekday: int) -> list[dt.date]:
    days = [D(year, month, d) for d in range(1, 22) if D(year, month, d).weekday() == weekday]
    return [days[0], days[2]]


def booked_dates() -> list[dt.date]:
    """The first and third Tuesday and Wednesday of every month (2.1), less the Christmas weeks."""
    days = []
    for i in range(12):
        year, month = (2022, 4 + i) if i < 9 else (2023, i - 8)
        for weekday in (1, 2):  # Tuesday, Wednesday
            days += first_and_third(year, month, weekday)
    return sorted(d for d in days if d not in NOT_BOOKED)


def panel_year() -> dict[str, list[dict]]:
    """panel_meetings.csv and panel_cases.csv for the year, as the panel adviser would load them."""
    regular = booked_dates()
    assert len(regular) == 45
    cancelled = set(regular[1:42:4]) | {regular[44]}  # 12 cancelled, spread through the year
    meetings, held = [], []
    for n, day in enumerate(sorted([*regular, EXTRAORDINARY]), 1):
        status = "cancelled" if day in cancelled else "held"
        row = {"meeting_id": f"PM{n:04d}", "panel": "fostering", "meeting_date": day.isoformat(), "status": status}
        if status == "held":
            row |= {"members_present": "6", "chair_present": "Y", "social_worker_present": "Y"}
            held.append((row["meeting_id"], day))
        meetings.append(row)
    # and a panel either side of the year, with a case each, which must not count
    meetings += [
        {"meeting_id": "PM0900", "panel": "fostering", "meeting_date": "2022-03-30", "status": "held"},
        {"meeting_id": "PM0901", "panel": "fostering", "meeting_date": "2023-04-04", "status": "held"},
    ]
    cases = []
    kinds = [(t, c, r) for t, c, r, n in CASE_TABLE for _ in range(n)]
    assert len(kinds) == 139
    differing = set()
    for k, (case_type, carer_type, recommendation) in enumerate(kinds):
        meeting_id, day = held[k % len(held)]  # 4 or 5 cases a panel
        row = {
            "case_id": f"PC{k + 1:05d}",
            "meeting_id": meeting_id,
            "case_type": case_type,
            "subject_ref": f"H{k + 1:04d}",
            "carer_type": carer_type,
            "papers_sent_date": (day - dt.timedelta(days=14)).isoformat(),
            "recommendation": recommendation,
            "minutes_final_date": (day + dt.timedelta(days=7)).isoformat(),
        }
        if recommendation != "not_applicable":
            differs = (case_type, recommendation) in NOT_AGREED and (case_type, recommendation) not in differing
            differing |= {(case_type, recommendation)} if differs else set()
            row |= {
                "adm_decision": "not_agreed" if differs else "agreed",
                "adm_decision_date": (day + dt.timedelta(days=10)).isoformat(),
            }
        cases.append(row)
    cases += [
        {"case_id": "PC09000", "meeting_id": "PM0900", "case_type": "approval", "recommendation": "positive"},
        {"case_id": "PC09001", "meeting_id": "PM0901", "case_type": "approval", "recommendation": "positive"},
    ]
    return {"panel_meetings.csv": meetings, "panel_cases.csv": cases}


@pytest.fixture
def app_config():
    return {"TODAY": "2023-05-01"}


@pytest.fixture
def report(app, runner, panel_import, tmp_path) -> dict:
    """The year imported, and ``flask kpis`` for it: the fostering panel's figures."""
    assert panel_import(tmp_path / "year", panel_year()) == []
    result = runner.invoke(args=["kpis", "--from", START.isoformat(), "--to", END.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    indicators = json.loads(result.output)["indicators"]
    return {k.removeprefix("panel.fostering."): v for k, v in indicators.items() if k.startswith("panel.fostering.")}


def test_meetings_booked_held_and_cancelled(report):
    assert report["meetings.booked"] == {"value": 46}  # "a potential 46 booked dates"
    assert report["meetings.held"] == {"value": 34}  # "34 panel meetings were held"
    assert report["meetings.cancelled"] == {"value": 12}  # "12 panels cancelled"
    assert report["meetings.quorate"] == {"numerator": 34, "denominator": 34, "value": 100.0}


def test_cases_heard_and_the_average_a_panel(report):
    assert report["cases"] == {"value": 139}  # "hearing a total of 139 cases"
    assert report["cases_per_meeting"] == {"value": 4.09}  # "averaging 4.1 cases per panel"


def test_cases_by_type_and_recommendation(report):
    assert {k.removeprefix("cases."): v["value"] for k, v in report.items() if k.startswith("cases.")} == {
        "approval": 35,  # "New Approvals 35"
        "reg25_extension": 2,
        "resignation": 33,  # "Resignations 33 (plus 3 deregistration)"
        "deregistration": 3,
        "first_review": 26,  # "1st year - 26"
        "third_year_review": 19,  # "3rd year - 19"
        "review_after_allegation": 13,  # "Allegation - 13"
        "change_of_terms": 8,  # "Change of status 8"
        "long_term_match": 0,
        "other": 0,
    }
    assert {
        k.removeprefix("recommendation."): v["value"] for k, v in report.items() if k.startswith("recommendation.")
    } == {
        "positive": 99,
        "deferred": 3,  # the deferrals the chair wants tracked back to panel (6.2)
        "negative": 1,
        "not_applicable": 36,  # resignations and deregistrations: "N/A"
    }


def test_approvals_split_mainstream_and_connected_from_the_drill_down(app, report):
    """The report's approvals row: 12 mainstream and 23 connected presented; 12 and 22 positive."""
    from collections import Counter

    from tracker.core import kpis

    with app.app_context():
        approvals = kpis.drill("panel.fostering.cases.approval", kpis.Period(START, END, END))
    assert Counter(r["carer_type"] for r in approvals) == {"mainstream": 12, "connected": 23}
    assert Counter((r["carer_type"], r["recommendation"]) for r in approvals) == {
        ("mainstream", "positive"): 12,
        ("connected", "positive"): 22,
        ("connected", "negative"): 1,
    }


def test_adm_decisions(app, report):
    from tracker.core import kpis

    assert report["adm_not_agreed"] == {"value": 3}  # "There have been 3 differing ADM decisions"
    assert report["adm_in_timescale"] == {"numerator": 103, "denominator": 103, "value": 100.0}
    assert report["papers_in_timescale"] == {"numerator": 139, "denominator": 139, "value": 100.0}
    with app.app_context():
        differing = kpis.drill("panel.fostering.adm_not_agreed", kpis.Period(START, END, END))
    assert sorted((r["case_type"], r["recommendation"]) for r in differing) == sorted(NOT_AGREED)
