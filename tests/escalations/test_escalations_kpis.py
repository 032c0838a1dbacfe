"""Escalation indicators (kpis.md §3) and the escalation_stage due items (interchange.md §3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tracker.core import kpis, worklist
from tracker.core.kpis import Period
from tracker.escalations.models import Area
from tracker.extensions import db

from . import factories

D = dt.date
FY = (D(2022, 4, 1), D(2023, 3, 31))
SMALL_AUTHORITY = Path(__file__).resolve().parents[1] / "data" / "small-authority"

# IRO annual report 2022/23 (003:L982–1008), areas in the order of domain.md §5
STARTS = {"informal": 146, "stage1": 21, "stage2": 9, "stage3": 4, "stage4": 0, "stage5": 0}
AREA_STARTED = [70, 56, 43, 22, 18, 15, 14, 14, 9, 8, 7, 2, 1, 57]
AREA_CONCLUDED = [53, 40, 28, 15, 14, 12, 11, 11, 6, 5, 3, 0, 1, 46]
AREAS = [
    "statutory_requirements",
    "care_plan",
    "review_decisions",
    "services",
    "voice_of_child",
    "health",
    "education",
    "transitions",
    "living_arrangements",
    "family_time",
    "safety",
    "life_story",
    "staff_turnover",
    "other",
]


def test_areas_are_in_the_report_order():
    assert [a.value for a in Area] == AREAS


def _cyclic_areas(n_escalations: int, counts: list[int]) -> list[list[str]]:
    """Give area i to ``counts[i]`` consecutive escalations (cyclically), so that every
    escalation has at least one area and no area is named twice on one escalation."""
    out: list[list[str]] = [[] for _ in range(n_escalations)]
    p = 0
    for area, count in zip(AREAS, counts, strict=True):
        for k in range(count):
            out[(p + k) % n_escalations].append(area)
        p += count
    assert all(out) and sum(map(len, out)) == sum(counts)
    return out


def test_annual_report_tables_2022_23(app):
    """Record-level data that reproduces the 2022/23 tables, read back through the indicators."""
    with app.app_context():
        children = [factories.child() for _ in range(10)]
        # 146 informal starts; 15 of those go on to stage 1 and 6 start at stage 1 (21 stage-1
        # starts); 9 of the stage-1 escalations reach stage 2 and 4 of those stage 3.
        opened_in_year = []
        for i in range(152):
            day = D(2022, 4, 4) + dt.timedelta(days=2 * i)
            if i < 146:
                stages = [("informal", day)]
                if i < 15:
                    stages.append(("stage1", day + dt.timedelta(days=7)))
            else:
                stages = [("stage1", day)]
            opened_in_year.append(stages)
        formal = [s for s in opened_in_year if s[-1][0] == "stage1"][:9]
        for stages in formal:
            stages.append(("stage2", stages[-1][1] + dt.timedelta(days=5)))
        for stages in formal[:4]:
            stages.append(("stage3", stages[-1][1] + dt.timedelta(days=5)))
        started_areas = _cyclic_areas(152, AREA_STARTED)
        for i, (stages, areas) in enumerate(zip(opened_in_year, started_areas, strict=True)):
            factories.escalation(children[i % 10], stages, areas=areas, raised_by="Q1")
        # 130 escalations opened in 2021/22 and concluded in 2022/23
        for i, areas in enumerate(_cyclic_areas(130, AREA_CONCLUDED)):
            factories.escalation(
                children[i % 10],
                [("informal", D(2022, 3, 1))],
                areas=areas,
                raised_by="Q2",
                closed=(D(2022, 4, 1) + dt.timedelta(days=2 * i), "resolved"),
            )
        db.session.commit()

        figures = kpis.compute(Period(*FY, FY[1]))
        value = {k: f.value for k, f in figures.items() if k.startswith("escalations.")}
        for stage, n in STARTS.items():
            assert value[f"escalations.started.{stage}"] == n
        assert value["escalations.started.total"] == 180
        assert value["escalations.formal_started"] == 34
        assert [value[f"escalations.area_started.{a}"] for a in AREAS] == AREA_STARTED
        assert [value[f"escalations.area_closed.{a}"] for a in AREAS] == AREA_CONCLUDED
        assert value["escalations.opened"] == 152
        assert value["escalations.closed"] == 130
        assert value["escalations.open"] == 152


def test_every_indicator_id_of_kpis_md(app):
    ids = [i.id for i in kpis.indicators() if i.id.startswith("escalations.")]
    stages = ["informal", "stage1", "stage2", "stage3", "stage4", "stage5", "cafcass"]
    want = [f"escalations.started.{s}" for s in stages] + [
        "escalations.started.total",
        "escalations.formal_started",
        "escalations.opened",
        "escalations.closed",
    ]
    want += [f"escalations.closed_at.{s}" for s in stages]
    for a in AREAS:
        want += [f"escalations.area_started.{a}", f"escalations.area_closed.{a}"]
    want += ["escalations.formal_resolved_in_timescale", "escalations.external", "escalations.open"]
    assert ids == [*want, "escalations.unresolved_stage4"]  # the last is the board's, beyond kpis.md
    expected = json.loads((SMALL_AUTHORITY / "expected-kpis-2022-23.json").read_text())
    assert [k for k in expected["indicators"] if k.startswith("escalations.")] == want


def _ours(block: dict) -> dict:
    return {k: v for k, v in block.items() if k.startswith("escalations.")}


@pytest.mark.parametrize("app_config", [{"TODAY": "2026-11-23"}])  # after every date in the files
def test_small_authority_figures_and_due_items(runner, small_authority):
    """Import the small authority and compare every escalations.* figure and every
    escalation_stage due item with the expected JSON (tests/data/small-authority)."""
    result = runner.invoke(
        args=["kpis", "--from", "2022-04-01", "--to", "2023-03-31", "--as-of", "2023-03-31", "--by", "month"]
        + ["--format", "json"]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    expected = json.loads((small_authority / "expected-kpis-2022-23.json").read_text())
    assert {**_ours(got["indicators"]), "escalations.unresolved_stage4": None} == {
        **_ours(expected["indicators"]),
        "escalations.unresolved_stage4": None,
    }
    assert _ours(got["indicators"])  # the escalation figures are there at all
    assert [m["month"] for m in got["months"]] == [m["month"] for m in expected["months"]]
    for g, e in zip(got["months"], expected["months"], strict=True):
        beyond = {"escalations.unresolved_stage4": None}  # not in kpis.md: tested below
        assert {**_ours(g["indicators"]), **beyond} == {**_ours(e["indicators"]), **beyond}, e["month"]

    result = runner.invoke(args=["due-items", "--as-of", "2023-01-16", "--format", "json"])
    assert result.exit_code == 0, result.output
    got_items = [i for i in json.loads(result.stdout)["items"] if i["kind"] == "escalation_stage"]
    expected_items = json.loads((small_authority / "expected-due-items-2023-01-16.json").read_text())["items"]
    assert got_items == [i for i in expected_items if i["kind"] == "escalation_stage"]
    # and on a day when escalations were waiting for a response (worked out by hand from the files):
    # E00024 informal 2023-03-02 (+10 wd = 2023-03-16), E00075 informal 2023-02-28 (+10 wd = 2023-03-14)
    result = runner.invoke(args=["due-items", "--as-of", "2023-03-08", "--format", "json"])
    assert result.exit_code == 0, result.output
    items = [i for i in json.loads(result.stdout)["items"] if i["kind"] == "escalation_stage"]
    assert items == [
        {"kind": "escalation_stage", "ref": "E00024", "owner": "Q5", "due_date": "2023-03-16", "state": "due_soon"},
    ]  # E00075 had its response on 2023-03-07


def _values(app, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> dict:
    with app.app_context():
        figures = kpis.compute(Period(start, end, as_of or end))
        return {k: f.as_dict() for k, f in figures.items() if k.startswith("escalations.")}


def test_only_what_happened_by_as_of_counts(app, seed):
    with seed():
        factories.escalation(
            "C1",
            [("informal", D(2023, 1, 10), D(2023, 1, 12)), ("stage1", D(2023, 2, 20))],
            closed=(D(2023, 3, 20), "resolved"),
            areas=["health"],
        )
        factories.escalation("C2", [("stage2", D(2023, 3, 25))], external_partner="CAMHS")
    # as of 2023-02-15: E1 is open at informal, its stage 1 and closure have not happened yet
    v = _values(app, D(2023, 1, 1), D(2023, 3, 31), D(2023, 2, 15))
    assert v["escalations.started.informal"]["value"] == 1
    assert v["escalations.started.stage1"]["value"] == 0
    assert v["escalations.opened"]["value"] == 1
    assert v["escalations.closed"]["value"] == 0
    assert v["escalations.open"]["value"] == 1
    assert v["escalations.external"]["value"] == 0
    # as of the period end: everything happened
    v = _values(app, D(2023, 1, 1), D(2023, 3, 31))
    assert v["escalations.started.total"]["value"] == 3
    assert v["escalations.formal_started"]["value"] == 2
    assert v["escalations.closed_at.stage1"]["value"] == 1
    assert v["escalations.area_closed.health"]["value"] == 1
    assert v["escalations.external"]["value"] == 1
    assert v["escalations.open"]["value"] == 1  # E2


@pytest.mark.parametrize("closed,in_time", [(D(2023, 2, 3), 1), (D(2023, 2, 6), 0)])
def test_formal_resolved_in_timescale(app, seed, closed, in_time):
    # first formal stage 2023-01-06 (Friday); + 20 working days = 2023-02-03
    with seed():
        factories.escalation(
            "C1",
            [("informal", D(2023, 1, 2)), ("stage1", D(2023, 1, 6)), ("stage2", D(2023, 1, 20))],
            closed=(closed, "resolved"),
        )
        factories.escalation("C2", [("informal", D(2023, 1, 2))], closed=(D(2023, 1, 5), "resolved"))
    v = _values(app, D(2023, 1, 1), D(2023, 3, 31))
    assert v["escalations.formal_resolved_in_timescale"]["numerator"] == in_time
    assert v["escalations.formal_resolved_in_timescale"]["denominator"] == 1  # E2 never went formal
    assert v["escalations.closed_at.stage2"]["value"] == 1
    assert v["escalations.closed_at.informal"]["value"] == 1


def test_drill_down_rows(app, seed):
    with seed():
        ref = factories.escalation("C1", [("informal", D(2023, 1, 10))], areas=["health", "safety"]).escalation_id
    with app.app_context():
        p = Period(D(2023, 1, 1), D(2023, 1, 31), D(2023, 1, 31))
        for ind in (
            "escalations.started.informal",
            "escalations.started.total",
            "escalations.opened",
            "escalations.area_started.safety",
            "escalations.open",
        ):
            rows = kpis.drill(ind, p)
            assert [r["ref"] for r in rows] == [ref], ind
            assert rows[0]["url"] == f"/escalations/{ref}" and ref in rows[0]["label"]
        assert (
            kpis.drill("escalations.started.informal", p)[0]["label"]
            == f"{ref}: Informal (social worker or team manager) started 10 January 2023"
        )
        assert (
            kpis.drill("escalations.opened", p)[0]["label"]
            == f"{ref}: opened 10 January 2023, highest stage Informal (social worker or team manager)"
        )
        assert kpis.drill("escalations.area_started.health", p, "numerator")[0]["ref"] == ref
        assert kpis.drill("escalations.closed", p) == []


def test_unresolved_stage4_counts_escalations_open_at_stage_4_or_5_on_the_last_day(app, seed):
    """The board's Safety line (002:L272): open at A, having reached stage 4 or 5 by A."""
    with seed():
        at4 = factories.escalation("C1", [("stage3", D(2023, 1, 2)), ("stage4", D(2023, 1, 20))]).escalation_id
        factories.escalation("C2", [("stage4", D(2023, 1, 5))], closed=(D(2023, 1, 25), "resolved"))
        factories.escalation("C3", [("stage3", D(2023, 1, 2)), ("stage4", D(2023, 2, 3))])
        at5 = factories.escalation("C4", [("stage5", D(2022, 12, 1))]).escalation_id
    jan = Period(D(2023, 1, 1), D(2023, 1, 31), D(2023, 1, 31))
    v = _values(app, jan.start, jan.end)
    assert v["escalations.unresolved_stage4"]["value"] == 2  # C2 closed, C3 reached stage 4 in February
    v = _values(app, jan.start, jan.end, D(2023, 1, 22))
    assert v["escalations.unresolved_stage4"]["value"] == 3  # C2 was still open on the 22nd
    with app.app_context():
        assert sorted(r["ref"] for r in kpis.drill("escalations.unresolved_stage4", jan)) == sorted([at4, at5])


def test_escalation_stage_due_items(app, seed):
    with seed():
        # open, informal, no response: due start + 10 wd
        e1 = factories.escalation("C1", [("informal", D(2023, 6, 1))], raised_by="Q1").escalation_id
        # formal stage: start + 5 wd
        e2 = factories.escalation(
            "C2", [("informal", D(2023, 5, 1), D(2023, 5, 3)), ("stage1", D(2023, 6, 5))], raised_by="Q2"
        ).escalation_id
        # current stage responded: nothing due
        e3 = factories.escalation("C3", [("stage1", D(2023, 6, 1), D(2023, 6, 2))]).escalation_id
        # Cafcass referral: excluded
        e4 = factories.escalation("C4", [("informal", D(2023, 6, 1)), ("cafcass", D(2023, 6, 2))]).escalation_id
        # closed: nothing due
        e5 = factories.escalation(
            "C5", [("informal", D(2023, 6, 1))], closed=(D(2023, 6, 2), "withdrawn")
        ).escalation_id
    with app.app_context():
        items = {i.ref: i for i in worklist.collect(D(2023, 6, 20), kinds=["escalation_stage"])}
        assert sorted(items) == [e1, e2]
        assert (items[e1].owner, items[e1].due_date, items[e1].state.value) == ("Q1", D(2023, 6, 15), "overdue")
        assert (items[e2].owner, items[e2].due_date) == ("Q2", D(2023, 6, 12))
        assert items[e1].url == f"/escalations/{e1}"
        assert (items[e1].record_type, items[e1].record_ref) == ("escalation", e1)
        assert items[e1].label == f"Escalation {e1} about Sam Smith (C1): response to Informal"  # the child by name
        assert items[e2].label == f"Escalation {e2} about Sam Smith (C2): response to Stage 1"
        # as of 2023-06-01: E2's stage 1 has not started: its informal stage was answered; E3's
        # response (06-02) and E5's closure (06-02) have not happened yet; E4 is at informal
        early = {i.ref: i.due_date for i in worklist.collect(D(2023, 6, 1), kinds=["escalation_stage"])}
        assert early == {e1: D(2023, 6, 15), e3: D(2023, 6, 8), e4: D(2023, 6, 15), e5: D(2023, 6, 15)}
        assert [i.ref for i in worklist.collect(D(2023, 6, 20), owner="Q2", kinds=["escalation_stage"])] == [e2]
