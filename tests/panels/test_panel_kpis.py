"""The ``panel.<panel>.*`` indicators (kpis.md §5) on record-level data brought in through the
import: the boundaries of the papers and ADM timescales (working days, bank holidays), which
meetings and cases count, the as-of date, quoracy for both panels, and drill-downs that list
exactly the records behind each figure. Today is 30 June 2023."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date
Q4 = (D(2023, 1, 1), D(2023, 3, 31))  # the quarter the records below are about


def meeting(meeting_id, panel, day, status, members="", chair="", sw="", independent="") -> dict:
    return {
        "meeting_id": meeting_id,
        "panel": panel,
        "meeting_date": day,
        "status": status,
        "members_present": members,
        "chair_present": chair,
        "social_worker_present": sw,
        "independent_present": independent,
    }


def case(case_id, meeting_id, case_type, papers="", recommendation="", minutes="", decision="", decided="") -> dict:
    return {
        "case_id": case_id,
        "meeting_id": meeting_id,
        "case_type": case_type,
        "papers_sent_date": papers,
        "recommendation": recommendation,
        "minutes_final_date": minutes,
        "adm_decision": decision,
        "adm_decision_date": decided,
    }


# Papers deadlines (meeting − 5 working days, rule panel_papers): F1 on Wednesday 4 January 2023 →
# Friday 23 December 2022, across the Christmas and New Year bank holidays (26, 27 December and
# 2 January); F2 on 14 March → 7 March; A1 on 7 February → 31 January; A2 on 21 February → 14 February.
# ADM deadlines (final minutes + 7 working days, rule adm_decision): 11 January → 20 January;
# 14 February → 23 February; 28 March → 6 April.
MEETINGS = [
    meeting("F1", "fostering", "2023-01-04", "held", "6", "Y", "Y", "N"),  # quorate
    meeting("F2", "fostering", "2023-03-14", "held", "4", "Y", "Y", "Y"),  # 4 members: not quorate
    meeting("F3", "fostering", "2023-03-21", "cancelled"),
    meeting("F4", "fostering", "2023-03-28", "booked"),  # never recorded as held
    meeting("F5", "fostering", "2023-04-04", "held", "5", "Y", "Y", "N"),  # after the quarter
    meeting("A1", "adoption", "2023-02-07", "held", "5", "Y", "Y", "N"),  # no independent member: not quorate
    meeting("A2", "adoption", "2023-02-21", "held", "5", "Y", "Y", "Y"),  # quorate
]
CASES = [
    # papers on the deadline; ADM agreed on the deadline
    case("C1", "F1", "approval", "2022-12-23", "positive", "2023-01-11", "agreed", "2023-01-20"),
    # papers on 28 December: in time but for the bank holidays; ADM did not agree, a day late
    case("C2", "F1", "first_review", "2022-12-28", "positive", "2023-01-11", "not_agreed", "2023-01-23"),
    # papers exactly on meeting − 5 wd; a resignation: no ADM decision expected
    case("C3", "F2", "resignation", "2023-03-07", "not_applicable", "2023-03-16"),
    # papers one day late; no final minutes yet: no ADM decision expected yet
    case("C4", "F2", "third_year_review", "2023-03-08", "deferred"),
    # no papers date: not in time; awaiting the ADM
    case("C5", "F2", "approval", "", "positive", "2023-03-16"),
    case("C6", "F3", "approval", "2023-03-13"),  # at a cancelled meeting: not heard
    case("C7", "F4", "approval", "2023-03-20"),  # at a meeting still booked: not heard
    case("C8", "F5", "approval", "2023-03-28", "positive"),  # heard after the quarter
    case("C9", "A1", "match", "2023-01-31", "positive", "2023-02-14", "agreed", "2023-02-23"),
    # decided on 3 April: in time, but not yet made on 31 March
    case("C10", "A2", "adopter_approval", "2023-02-14", "positive", "2023-03-28", "agreed", "2023-04-03"),
]


@pytest.fixture
def quarter(panel_import, tmp_path):
    assert panel_import(tmp_path / "q", {"panel_meetings.csv": MEETINGS, "panel_cases.csv": CASES}) == []


def figures(app, start, end, as_of=None, prefix="panel.") -> dict:
    from tracker.core import kpis

    with app.app_context():
        computed = kpis.compute(kpis.Period(start, end, as_of or end))
    return {k: v.as_dict() for k, v in computed.items() if k.startswith(prefix)}


def rows(app, indicator_id, start, end, part="numerator", as_of=None) -> list[dict]:
    from tracker.core import kpis

    with app.app_context():
        return kpis.drill(indicator_id, kpis.Period(start, end, as_of or end), part)


def refs(app, indicator_id, part="numerator", period=Q4, as_of=None) -> list[str]:
    return [r["ref"] for r in rows(app, indicator_id, *period, part, as_of)]


def ratio(figure: dict) -> tuple:
    return figure["numerator"], figure["denominator"], figure["value"]


def test_the_papers_and_adm_deadlines_of_the_records(app):
    """The deadlines the comments above rely on, from the rules and the calendar."""
    from tracker.core import timescales

    with app.app_context():
        assert timescales.deadline("panel_papers", D(2023, 1, 4)) == D(2022, 12, 23)  # across 2, 27, 26 Dec/Jan
        assert timescales.deadline("panel_papers", D(2023, 3, 14)) == D(2023, 3, 7)
        assert timescales.deadline("panel_papers", D(2023, 2, 7)) == D(2023, 1, 31)
        assert timescales.deadline("panel_papers", D(2023, 2, 21)) == D(2023, 2, 14)
        assert timescales.deadline("adm_decision", D(2023, 1, 11)) == D(2023, 1, 20)
        assert timescales.deadline("adm_decision", D(2023, 2, 14)) == D(2023, 2, 23)
        assert timescales.deadline("adm_decision", D(2023, 3, 28)) == D(2023, 4, 6)


def test_the_quarters_figures(app, quarter):
    f = figures(app, *Q4)
    fostering = {k.removeprefix("panel.fostering."): v for k, v in f.items() if k.startswith("panel.fostering.")}
    assert fostering["meetings.booked"] == {"value": 4}  # held, cancelled and still booked alike
    assert fostering["meetings.held"] == {"value": 2}
    assert fostering["meetings.cancelled"] == {"value": 1}
    assert ratio(fostering["meetings.quorate"]) == (1, 2, 50.0)
    assert fostering["cases"] == {"value": 5}  # C1–C5: not C6 (cancelled), C7 (booked) nor C8 (April)
    assert fostering["cases_per_meeting"] == {"value": 2.5}
    assert {k: v["value"] for k, v in fostering.items() if k.startswith("cases.")} == {
        "cases.approval": 2,
        "cases.reg25_extension": 0,
        "cases.resignation": 1,
        "cases.deregistration": 0,
        "cases.first_review": 1,
        "cases.third_year_review": 1,
        "cases.review_after_allegation": 0,
        "cases.change_of_terms": 0,
        "cases.long_term_match": 0,
        "cases.other": 0,
    }
    assert {k: v["value"] for k, v in fostering.items() if k.startswith("recommendation.")} == {
        "recommendation.positive": 3,
        "recommendation.deferred": 1,
        "recommendation.negative": 0,
        "recommendation.not_applicable": 1,
    }
    assert ratio(fostering["papers_in_timescale"]) == (2, 5, 40.0)  # C1 and C3, on their deadlines
    assert ratio(fostering["adm_in_timescale"]) == (1, 3, 33.33)  # of C1, C2, C5: C1
    assert fostering["adm_not_agreed"] == {"value": 1}

    adoption = {k.removeprefix("panel.adoption."): v for k, v in f.items() if k.startswith("panel.adoption.")}
    assert (adoption["meetings.booked"], adoption["meetings.held"], adoption["meetings.cancelled"]) == (
        {"value": 2},
        {"value": 2},
        {"value": 0},
    )
    assert ratio(adoption["meetings.quorate"]) == (1, 2, 50.0)  # A1 had no independent member
    assert adoption["cases"] == {"value": 2}
    assert adoption["cases_per_meeting"] == {"value": 1.0}
    assert {k for k in adoption if k.startswith("cases.")} == {
        "cases.adopter_approval",
        "cases.match",
        "cases.adopter_deregistration",
        "cases.relinquished_child",
        "cases.other",
    }
    assert (adoption["cases.match"], adoption["cases.adopter_approval"]) == ({"value": 1}, {"value": 1})
    assert ratio(adoption["papers_in_timescale"]) == (2, 2, 100.0)
    assert ratio(adoption["adm_in_timescale"]) == (1, 2, 50.0)  # C10's decision is not yet made on 31 March
    assert adoption["adm_not_agreed"] == {"value": 0}


def test_papers_sent_on_the_deadline_are_in_time_and_a_day_later_not(app, quarter):
    assert refs(app, "panel.fostering.papers_in_timescale") == ["C1", "C3"]
    # C2's papers (28 December) would be in time without the bank holidays; C4's are a day late
    # (8 March); C5 has no papers date
    assert refs(app, "panel.fostering.papers_in_timescale", "denominator") == ["C1", "C2", "C3", "C4", "C5"]


def test_only_cases_at_held_meetings_count(app, quarter):
    heard = refs(app, "panel.fostering.cases")
    assert heard == ["C1", "C2", "C3", "C4", "C5"]
    assert not {"C6", "C7"} & set(heard)
    assert refs(app, "panel.fostering.meetings.booked") == ["F1", "F2", "F3", "F4"]
    assert refs(app, "panel.fostering.meetings.cancelled") == ["F3"]


def test_the_adm_denominator_leaves_out_not_applicable_and_cases_without_final_minutes(app, quarter):
    assert refs(app, "panel.fostering.adm_in_timescale", "denominator") == ["C1", "C2", "C5"]  # not C3, C4
    assert refs(app, "panel.fostering.adm_in_timescale") == ["C1"]  # C2 a day late; C5 not decided


def test_a_decision_dated_after_the_as_of_date_is_not_yet_made(app, quarter):
    # 31 March: C10's decision (3 April) has not happened yet
    assert refs(app, "panel.adoption.adm_in_timescale", "denominator") == ["C9", "C10"]
    assert refs(app, "panel.adoption.adm_in_timescale") == ["C9"]
    # as of 30 April, the same quarter: it was made, within 7 working days of the minutes
    assert ratio(figures(app, *Q4, as_of=D(2023, 4, 30))["panel.adoption.adm_in_timescale"]) == (2, 2, 100.0)
    # as of 21 January: C2's "not agreed" (23 January) is not made yet either
    january = figures(app, D(2023, 1, 1), D(2023, 1, 31), as_of=D(2023, 1, 21))
    assert january["panel.fostering.adm_not_agreed"] == {"value": 0}
    assert ratio(january["panel.fostering.adm_in_timescale"]) == (1, 2, 50.0)


def test_cases_count_in_the_month_of_the_meeting_they_were_heard_at(app, quarter):
    from tracker.core import kpis

    with app.app_context():
        by_month = {
            p.start.month: (
                kpis.compute(p)["panel.fostering.cases"].value,
                kpis.compute(p)["panel.adoption.cases"].value,
            )
            for p in kpis.months(D(2023, 1, 1), D(2023, 4, 30))
        }
    assert by_month == {1: (2, 0), 2: (0, 2), 3: (3, 0), 4: (1, 0)}


def test_a_case_without_a_recommendation_counts_as_heard_but_under_no_recommendation(app, panel_import, tmp_path):
    files = {
        "panel_meetings.csv": [meeting("F1", "fostering", "2023-03-14", "held", "5", "Y", "Y")],
        "panel_cases.csv": [case("C1", "F1", "approval"), case("C2", "F1", "approval", recommendation="positive")],
    }
    assert panel_import(tmp_path / "a", files) == []
    f = figures(app, *Q4)
    assert f["panel.fostering.cases"] == {"value": 2}
    assert sum(v["value"] for k, v in f.items() if k.startswith("panel.fostering.recommendation.")) == 1


@pytest.mark.parametrize(
    "panel, members, chair, social_worker, independent, quorate",
    [
        ("fostering", "5", "Y", "Y", "N", True),
        ("fostering", "4", "Y", "Y", "Y", False),  # fewer than 5 members
        ("fostering", "6", "N", "Y", "Y", False),  # no chair or vice-chair
        ("fostering", "6", "Y", "N", "Y", False),  # no social worker
        ("fostering", "", "Y", "Y", "Y", False),  # attendance not recorded
        ("adoption", "5", "Y", "Y", "Y", True),
        ("adoption", "5", "Y", "Y", "N", False),  # an adoption panel needs an independent member
        ("adoption", "8", "Y", "Y", "N", False),
        ("adoption", "4", "Y", "Y", "Y", False),
    ],
)
def test_quoracy_of_a_held_meeting(
    app, panel_import, tmp_path, panel, members, chair, social_worker, independent, quorate
):
    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    files = {
        "panel_meetings.csv": [meeting("M1", panel, "2023-03-14", "held", members, chair, social_worker, independent)]
    }
    assert panel_import(tmp_path / "a", files) == []
    assert ratio(figures(app, *Q4)[f"panel.{panel}.meetings.quorate"]) == ((1, 1, 100.0) if quorate else (0, 1, 0.0))
    with app.app_context():
        assert db.session.get(PanelMeeting, "M1").quorate is quorate  # the page's answer is the figure's
    assert refs(app, f"panel.{panel}.meetings.quorate") == (["M1"] if quorate else [])


def test_figures_with_no_records_are_zero_and_none(app):
    f = figures(app, *Q4)
    assert f["panel.fostering.cases"] == {"value": 0}
    assert f["panel.fostering.cases_per_meeting"] == {"value": None}
    assert f["panel.adoption.papers_in_timescale"] == {"numerator": 0, "denominator": 0, "value": None}


def test_drill_down_rows_are_the_records_behind_each_figure(app, quarter):
    """Every panel.* figure: its numerator's (a count's) and denominator's rows, as many as it counts."""
    from tracker.core import kpis

    f = figures(app, *Q4)
    assert len(f) == sum(1 for i in kpis.indicators() if i.id.startswith("panel."))
    for indicator_id, figure in f.items():
        numerator = rows(app, indicator_id, *Q4)
        if "numerator" in figure:
            assert len(numerator) == figure["numerator"], indicator_id
            assert len(rows(app, indicator_id, *Q4, "denominator")) == figure["denominator"], indicator_id
        elif indicator_id.endswith("cases_per_meeting"):  # an average: cases over held meetings
            assert len(numerator) == f[indicator_id.replace("cases_per_meeting", "cases")]["value"]
            held = f[indicator_id.replace("cases_per_meeting", "meetings.held")]["value"]
            assert len(rows(app, indicator_id, *Q4, "denominator")) == held
        else:
            assert len(numerator) == figure["value"], indicator_id


def test_a_drill_down_row_names_the_case_its_meeting_and_what_was_decided(app, quarter):
    (c2,) = rows(app, "panel.fostering.adm_not_agreed", *Q4)
    assert {k: c2[k] for k in ("ref", "meeting_id", "meeting_date", "case_type", "recommendation", "adm_decision")} == {
        "ref": "C2",
        "meeting_id": "F1",
        "meeting_date": D(2023, 1, 4),
        "case_type": "first_review",
        "recommendation": "positive",
        "adm_decision": "not_agreed",
    }
    assert c2["label"] == (
        "First review; heard at F1 on 4 January 2023; recommendation: Positive; papers sent 28 December 2022; "
        "minutes final 11 January 2023; ADM: Did not agree with the recommendation on 23 January 2023"
    )
    (f2,) = rows(app, "panel.fostering.meetings.quorate", *Q4, "denominator")[1:]
    assert (f2["ref"], f2["meeting_date"], f2["status"], f2["quorate"]) == ("F2", D(2023, 3, 14), "held", False)
    assert f2["label"] == "Fostering panel meeting of 14 March 2023: Held, not quorate"
