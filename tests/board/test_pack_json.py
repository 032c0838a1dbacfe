"""``board-pack --format json`` (interchange.md §4): for the small-authority example, every row of
the scorecard carries the expected figures of each of its six months (all provisional, nothing
frozen); the layout is the issue's; ``--suppress`` puts the small-number marks in place of the
values; bad options are refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.test_small_authority import BEYOND_THE_CATALOGUE, EXPECTED_KPIS
from tracker.board import scorecard, suppression
from tracker.core import kpis

MONTHS = ["2022-10", "2022-11", "2022-12", "2023-01", "2023-02", "2023-03"]
ARGS = ["board-pack", "--month", "2023-03", "--format", "json"]
KEYS = [
    "section",
    "indicator",
    "label",
    "unit",
    "good_is",
    "england",
    "good_sn",
    "target",
    "values",
    "provisional",
    "dot",
    "rag",
]


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}  # after every date in the data


def pack(runner, *extra) -> dict:
    result = runner.invoke(args=[*ARGS, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def expected_value(month: str, indicator: str):
    by_month = {m["month"]: m["indicators"] for m in EXPECTED_KPIS["months"]}
    return by_month[month][indicator]["value"]


def test_every_row_carries_the_expected_figures_of_its_six_months(app, runner, small_authority):
    doc = pack(runner)
    assert list(doc) == ["month", "rows"] and doc["month"] == "2023-03"
    with app.app_context():
        configured = [r.indicator_id for s in scorecard.sections() for r in s.rows]
    assert [row["indicator"] for row in doc["rows"]] == configured
    checked = 0
    diffs = {}
    for row in doc["rows"]:
        assert list(row) == KEYS
        assert list(row["values"]) == MONTHS
        assert row["provisional"] == dict.fromkeys(MONTHS, True)  # nothing frozen
        if row["indicator"] in BEYOND_THE_CATALOGUE:
            continue
        for month in MONTHS:
            want, got = expected_value(month, row["indicator"]), row["values"][month]
            if want != got or (isinstance(want, int) and not isinstance(got, int)):  # counts stay ints
                diffs[f"{month} {row['indicator']}"] = (want, got)
            checked += 1
    assert diffs == {}, f"{{month id: (expected, got)}} = {diffs}"
    assert checked == 6 * (len(configured) - len(BEYOND_THE_CATALOGUE & set(configured)))


def test_the_rows_say_what_the_scorecard_says(app, runner, small_authority):
    doc = pack(runner)
    with app.app_context():
        card = scorecard.build(dt.date(2023, 3, 1), dt.date(2026, 11, 23))
        lines = [(b.section.title, line) for b in card.blocks for line in b.lines]
        assert len(lines) == len(doc["rows"])
        for (section, line), row in zip(lines, doc["rows"], strict=True):
            assert row["section"] == section and row["label"] == line.label
            assert row["unit"] in ("No.", "%", "Rate") and row["unit"] == line.row.unit
            assert row["good_is"] in ("High", "Low", "-") and row["good_is"] == line.row.good_is
            assert row["target"] == (None if line.row.target is None else float(line.row.target))
            assert row["dot"] == (line.dot and line.dot.value) and row["rag"] == (line.rag and line.rag.value)
            for value in line.values:
                got = row["values"][f"{value.month:%Y-%m}"]
                if value.value is None:
                    assert got is None
                elif isinstance(value.value, int):
                    assert got == value.value and isinstance(got, int)
                else:
                    assert Decimal(str(got)) == value.value.quantize(Decimal("0.01"))
    # targets as JSON numbers: the LADO initial evaluation meeting's 100
    lado = next(r for r in doc["rows"] if r["indicator"] == "lado.iem_in_timescale")
    assert lado["target"] == 100 and lado["rag"] in ("green", "amber", "red", None)


def test_suppress_marks_small_numbers_as_board_members_see_them(app, runner, small_authority):
    exact, marked = pack(runner), pack(runner, "--suppress")
    with app.app_context():
        units = {i.id: i.unit for i in kpis.indicators()}
        people = {i.id: i.describes_people for i in kpis.indicators()}
        card = scorecard.build(dt.date(2023, 3, 1), dt.date(2026, 11, 23))
        values = {
            (line.row.indicator_id, f"{v.month:%Y-%m}"): v for b in card.blocks for line in b.lines for v in line.values
        }
    seen = set()
    for plain, hidden in zip(exact["rows"], marked["rows"], strict=True):
        for month in MONTHS:
            v = values[plain["indicator"], month]
            mark = suppression.mark(
                units[plain["indicator"]], v.value, v.numerator, v.denominator, people[plain["indicator"]]
            )
            assert hidden["values"][month] == (mark or plain["values"][month])
            seen.add(mark)
    assert {"<5", "[c]"} <= seen  # the example has both kinds
    assert any(isinstance(v, str) for r in marked["rows"] for v in r["values"].values())


def test_output_to_a_file_and_the_options_refused(app, runner, tmp_path):
    target = tmp_path / "pack.json"
    result = runner.invoke(args=[*ARGS, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["month"] == "2023-03"
    dash = runner.invoke(args=[*ARGS, "-o", "-", "--suppress"])
    assert json.loads(dash.output)["month"] == "2023-03"
    with app.app_context():
        from sqlalchemy import select

        from tracker.core.audit import AuditEntry
        from tracker.extensions import db

        written = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "list.export")).all()
        assert [(e.actor, e.after["format"], e.after["suppressed"]) for e in written] == [
            ("cli:board-pack", "json", False),
            ("cli:board-pack", "json", True),
        ]
    xlsx = runner.invoke(args=["board-pack", "--format", "xlsx"])
    assert xlsx.exit_code == 2 and "--format xlsx needs -o FILE" in xlsx.output
    bad = runner.invoke(args=["board-pack", "--month", "2023-3x"])
    assert bad.exit_code == 2 and "is not a month" in bad.output
    future = runner.invoke(args=["board-pack", "--month", "2027-01"])
    assert future.exit_code == 2 and "the month must be this month or an earlier month" in future.output
    unknown = runner.invoke(args=["board-pack", "--format", "pdf"])
    assert unknown.exit_code == 2
