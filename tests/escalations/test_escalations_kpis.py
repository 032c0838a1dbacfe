"""Escalation indicators (kpis.md §3) and the escalation_stage due items (interchange.md §3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from escalation_factories import app_config, build  # noqa: F401  (fixtures)

from tracker.escalations.models import AREAS

D = dt.date
FY = (D(2022, 4, 1), D(2023, 3, 31))
ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "small-authority"

# IRO annual report 2022/23 (003:L982–1008), areas in the order of domain.md §5
STARTS = {"informal": 146, "stage1": 21, "stage2": 9, "stage3": 4, "stage4": 0, "stage5": 0}
AREA_STARTED = [70, 56, 43, 22, 18, 15, 14, 14, 9, 8, 7, 2, 1, 57]
AREA_CONCLUDED = [53, 40, 28, 15, 14, 12, 11, 11, 6, 5, 3, 0, 1, 46]


def _cyclic_areas(n_escalations: int, counts: list[int]) -> list[list[str]]:
    """Give area i to ``counts[i]`` consecutive escalations (cyclically), so that every
    escalation has at least one area and no area is named twice on one escalation."""
    out: list[list[str]] = [[] for _ in range(n_escalations)]
    p = 0
    for area, count in zip(AREAS, counts):
        for k in range(count):
            out[(p + k) % n_escalations].append(area)
        p += count
    assert all(out) and sum(map(len, out)) == sum(counts)
    return out


def test_annual_report_tables_2022_23(app):
    """Record-level data that reproduces the 2022/23 tables, read back through the indicators."""
    from tracker.core.kpis import Period, compute
    from tracker.escalations.models import Escalation, EscalationArea, EscalationStage
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        children = [Child(child_id=f"C{i:03d}", date_of_birth=D(2010, 1, 1)) for i in range(300)]
        db.session.add_all(children)
        db.session.flush()
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
        for i, (stages, areas) in enumerate(zip(opened_in_year, started_areas)):
            e = Escalation(escalation_id=f"E{i:04d}", child_pk=children[i].id, raised_by="Q1")
            e.areas = [EscalationArea(area=a) for a in areas]
            e.stages = [EscalationStage(stage=s, started_date=d) for s, d in stages]
            db.session.add(e)
        # 130 escalations opened in 2021/22 and concluded in 2022/23
        concluded_areas = _cyclic_areas(130, AREA_CONCLUDED)
        for i, areas in enumerate(concluded_areas):
            e = Escalation(
                escalation_id=f"F{i:04d}",
                child_pk=children[152 + i % 148].id,
                raised_by="Q2",
                closed_date=D(2022, 4, 1) + dt.timedelta(days=2 * i),
                resolution="resolved",
            )
            e.areas = [EscalationArea(area=a) for a in areas]
            e.stages = [EscalationStage(stage="informal", started_date=D(2022, 3, 1))]
            db.session.add(e)
        db.session.commit()

        figures = compute(Period(*FY, FY[1]))
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
    from tracker.core.kpis import indicators

    ids = [i.id for i in indicators() if i.id.startswith("escalations.")]
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
    assert ids == want
    expected = json.loads((SMALL / "expected-kpis-2022-23.json").read_text())
    assert [k for k in expected["indicators"] if k.startswith("escalations.")] == want


def test_small_authority_figures_and_due_items(app, runner):
    """Import the small authority and compare every escalations.* figure and every
    escalation_stage due item with the expected JSON (tests/data/small-authority)."""
    app.config["TODAY"] = "2026-11-23"
    result = runner.invoke(args=["import-data", str(SMALL / "data")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "kpis",
            "--from",
            "2022-04-01",
            "--to",
            "2023-03-31",
            "--as-of",
            "2023-03-31",
            "--by",
            "month",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    expected = json.loads((SMALL / "expected-kpis-2022-23.json").read_text())

    def ours(block):
        return {k: v for k, v in block.items() if k.startswith("escalations.")}

    assert ours(got["indicators"]) == ours(expected["indicators"])
    assert [m["month"] for m in got["months"]] == [m["month"] for m in expected["months"]]
    for g, e in zip(got["months"], expected["months"]):
        assert ours(g["indicators"]) == ours(e["indicators"]), e["month"]
    result = runner.invoke(args=["due-items", "--as-of", "2023-01-16", "--format", "json"])
    got_items = [i for i in json.loads(result.stdout)["items"] if i["kind"] == "escalation_stage"]
    expected_items = json.loads((SMALL / "expected-due-items-2023-01-16.json").read_text())["items"]
    assert got_items == [i for i in expected_items if i["kind"] == "escalation_stage"]
    # and on a day when escalations were waiting for a response (worked out by hand from the files):
    # E00024 informal 2023-03-02 (+10 wd = 2023-03-16), E00075 informal 2023-02-28 (+10 wd = 2023-03-14)
    result = runner.invoke(args=["due-items", "--as-of", "2023-03-08", "--format", "json"])
    items = [i for i in json.loads(result.stdout)["items"] if i["kind"] == "escalation_stage"]
    assert items == [
        {"kind": "escalation_stage", "ref": "E00024", "owner": "Q5", "due_date": "2023-03-16", "state": "due_soon"},
    ]  # E00075 had its response on 2023-03-07


def _period(start, end, as_of=None):
    from tracker.core.kpis import Period

    return Period(start, end, as_of or end)


def _values(app, period):
    from tracker.core.kpis import compute

    with app.app_context():
        return {k: (f.as_dict()) for k, f in compute(period).items() if k.startswith("escalations.")}


def test_only_what_happened_by_as_of_counts(app, build):
    build.escalation(
        "E1",
        stages=[("informal", D(2023, 1, 10), D(2023, 1, 12)), ("stage1", D(2023, 2, 20), None)],
        closed=(D(2023, 3, 20), "resolved"),
        areas=["health"],
    )
    build.escalation("E2", child_id="C2", stages=[("stage2", D(2023, 3, 25), None)], external_partner="CAMHS")
    # as of 2023-02-15: E1 is open at informal, its stage 1 and closure have not happened yet
    v = _values(app, _period(D(2023, 1, 1), D(2023, 3, 31), D(2023, 2, 15)))
    assert v["escalations.started.informal"]["value"] == 1
    assert v["escalations.started.stage1"]["value"] == 0
    assert v["escalations.opened"]["value"] == 1
    assert v["escalations.closed"]["value"] == 0
    assert v["escalations.open"]["value"] == 1
    assert v["escalations.external"]["value"] == 0
    # as of the period end: everything happened
    v = _values(app, _period(D(2023, 1, 1), D(2023, 3, 31)))
    assert v["escalations.started.total"]["value"] == 3
    assert v["escalations.formal_started"]["value"] == 2
    assert v["escalations.closed_at.stage1"]["value"] == 1
    assert v["escalations.area_closed.health"]["value"] == 1
    assert v["escalations.external"]["value"] == 1
    assert v["escalations.open"]["value"] == 1  # E2


@pytest.mark.parametrize("closed,in_time", [(D(2023, 2, 3), 1), (D(2023, 2, 6), 0)])
def test_formal_resolved_in_timescale(app, build, closed, in_time):
    # first formal stage 2023-01-06 (Friday); + 20 working days = 2023-02-03
    build.escalation(
        "E1",
        stages=[("informal", D(2023, 1, 2), None), ("stage1", D(2023, 1, 6), None), ("stage2", D(2023, 1, 20), None)],
        closed=(closed, "resolved"),
    )
    build.escalation(
        "E2", child_id="C2", stages=[("informal", D(2023, 1, 2), None)], closed=(D(2023, 1, 5), "resolved")
    )
    v = _values(app, _period(D(2023, 1, 1), D(2023, 3, 31)))
    assert v["escalations.formal_resolved_in_timescale"]["numerator"] == in_time
    assert v["escalations.formal_resolved_in_timescale"]["denominator"] == 1  # E2 never went formal
    assert v["escalations.closed_at.stage2"]["value"] == 1
    assert v["escalations.closed_at.informal"]["value"] == 1


def test_drill_down_rows(app, build):
    from tracker.core.kpis import drill

    build.escalation("E1", stages=[("informal", D(2023, 1, 10), None)], areas=["health", "safety"])
    with app.app_context():
        p = _period(D(2023, 1, 1), D(2023, 1, 31))
        for ind in (
            "escalations.started.informal",
            "escalations.started.total",
            "escalations.opened",
            "escalations.area_started.safety",
            "escalations.open",
        ):
            rows = drill(ind, p)
            assert [r["ref"] for r in rows] == ["E1"], ind
            assert rows[0]["url"] == "/escalations/E1" and "E1" in rows[0]["label"]
        assert drill("escalations.area_started.health", p, "numerator")[0]["ref"] == "E1"
        assert drill("escalations.closed", p) == []


def test_escalation_stage_due_items(app, build):
    from tracker.core import worklist

    # open, informal, no response: due start + 10 wd
    build.escalation("E1", stages=[("informal", D(2023, 6, 1), None)], raised_by="Q1")
    # formal stage: start + 5 wd
    build.escalation(
        "E2",
        child_id="C2",
        stages=[("informal", D(2023, 5, 1), D(2023, 5, 3)), ("stage1", D(2023, 6, 5), None)],
        raised_by="Q2",
    )
    # current stage responded: nothing due
    build.escalation("E3", child_id="C3", stages=[("stage1", D(2023, 6, 1), D(2023, 6, 2))])
    # Cafcass referral: excluded
    build.escalation("E4", child_id="C4", stages=[("informal", D(2023, 6, 1), None), ("cafcass", D(2023, 6, 2), None)])
    # closed: nothing due
    build.escalation(
        "E5", child_id="C5", stages=[("informal", D(2023, 6, 1), None)], closed=(D(2023, 6, 2), "withdrawn")
    )
    with app.app_context():
        items = {i.ref: i for i in worklist.collect(D(2023, 6, 20), kinds=["escalation_stage"])}
        assert sorted(items) == ["E1", "E2"]
        assert (items["E1"].owner, items["E1"].due_date, items["E1"].state.value) == ("Q1", D(2023, 6, 15), "overdue")
        assert (items["E2"].owner, items["E2"].due_date) == ("Q2", D(2023, 6, 12))
        assert items["E1"].url == "/escalations/E1"
        # as of 2023-06-01: E2's stage 1 has not started: its informal stage was answered; E3's
        # response (06-02) and E5's closure (06-02) have not happened yet; E4 is at informal
        early = {i.ref: i.due_date for i in worklist.collect(D(2023, 6, 1), kinds=["escalation_stage"])}
        assert early == {"E1": D(2023, 6, 15), "E3": D(2023, 6, 8), "E4": D(2023, 6, 15), "E5": D(2023, 6, 15)}
        assert [i.ref for i in worklist.collect(D(2023, 6, 20), owner="Q2", kinds=["escalation_stage"])] == ["E2"]
