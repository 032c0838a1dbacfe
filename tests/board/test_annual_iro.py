"""The IRO annual report's tables for 2022/23 (003:L914–1010) built from record-level data imported
through ``import-data``: every cell is ``kpis.compute``'s, and they equal the published figures.

The report's own figures disagree: its monthly table (003:L918–921) adds up to 1,339 reviews held
("Total number of reviews complete this year is 1, 339", 003:L925), its task table (003:L929–935)
counts 1,316. So the two tables are rebuilt from two datasets, each as its table describes the year:

- ``monthly_year``: the reviews of each month (took place 121, 142, … 125; in timescale 114, 131,
  … 124), with the participation codes the participation table counts (003:L943–949; the rest of
  each month's reviews coded PN0), the IRO contacts at the year end (003:L956–960: 436 children
  in care, 425 expected to have contact, 418 with a contact in the last 6 months) and the
  escalations (003:L976–977: 146 informal, 21, 9 and 4 at stages 1–3) with their areas of concern
  (003:L994–1008).
- ``task_year``: 1,316 reviews: 1,221 in timescale, 1,315 with recommendations, 1,192 of them
  within 5 working days, 1,299 with minutes, 779 of them within 20 working days.

A review is in timescale when held on or before its reg 33 due date (domain.md §3–4): each review
here is its child's first, due 20 working days after the care period starts. A period starting 21
days before the review makes it on time (20 working days are at least 27 days); one starting 60
days before makes it late (20 working days are at most 34 days, bank holidays included).

The participation table's percentages (86, 90, 97, …) do not follow from its own counts under
any reading (April: 86 participating of 103 coded, 91 known), so only its counts are compared.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.panels.conftest import write_import_files
from tracker.core.interchange import FILES

D = dt.date
START, END = D(2022, 4, 1), D(2023, 3, 31)
MONTHS = [(2022, m) for m in range(4, 13)] + [(2023, m) for m in range(1, 4)]
TOOK_PLACE = [121, 142, 78, 105, 95, 118, 117, 124, 93, 128, 93, 125]
IN_TIMESCALE = [114, 131, 69, 102, 84, 107, 107, 108, 91, 119, 88, 124]
PUBLISHED_PERCENT = [94, 92, 88, 97, 88, 91, 91, 87, 98, 93, 95, 99]
# the participation table (003:L943–949): a blank cell is 0
PARTICIPATION = {
    "PN1": [55, 65, 30, 39, 38, 37, 44, 53, 33, 59, 38, 51],
    "PN5": [3, 9, 2, 5, 1, 10, 3, 7, 7, 0, 4, 9],
    "PN6": [28, 38, 31, 26, 19, 31, 42, 37, 21, 34, 27, 38],
    "PN7": [5, 12, 0, 5, 8, 10, 6, 6, 7, 2, 6, 4],
    "not_known": [12, 1, 2, 21, 11, 16, 10, 5, 11, 10, 2, 9],
}
IN_CARE, EXPECTED, WITH_CONTACT = 436, 425, 418  # on 31 March 2023 (003:L956–960)
STAGES = {"informal": 146, "stage1": 21, "stage2": 9, "stage3": 4}  # started in the year (003:L976–977)
# areas of concern in the report's order (Area's): started, concluded (003:L994–1008)
AREAS = {
    "statutory_requirements": (70, 53),
    "care_plan": (56, 40),
    "review_decisions": (43, 28),
    "services": (22, 15),
    "voice_of_child": (18, 14),
    "health": (15, 12),
    "education": (14, 11),
    "transitions": (14, 11),
    "living_arrangements": (9, 6),
    "family_time": (8, 5),
    "safety": (7, 3),
    "life_story": (2, 0),
    "staff_turnover": (1, 1),
    "other": (57, 46),
}
CLOSED_ESCALATIONS = 106  # of the 146: enough to hold each area's concluded ones once each


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def whole_percent(value: Decimal) -> int:
    """As the report prints a percentage: rounded half-up to a whole number."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _child(child_id: str, review_date: dt.date, on_time: bool, *, under_four: bool = False, **child) -> tuple:
    """A child whose first review, on ``review_date``, is in timescale or late (see the docstring)."""
    start = review_date - dt.timedelta(days=21 if on_time else 60)
    born = D(2020, 6, 1) if under_four else D(2010, 6, 1)
    return (
        {"child_id": child_id, "date_of_birth": born.isoformat(), **child},
        {"child_id": child_id, "start_date": start.isoformat()},
    )


def monthly_files() -> dict[str, list[dict]]:
    children, periods, reviews, contacts = [], [], [], []
    for m, ((year, month), held, timely) in enumerate(zip(MONTHS, TOOK_PLACE, IN_TIMESCALE, strict=True)):
        codes = [code for code, counts in PARTICIPATION.items() for _ in range(counts[m])]
        codes += ["PN0"] * (held - len(codes))
        for i in range(held):
            n = len(reviews) + 1
            day = D(year, month, 1 + i % 28)
            child, period = _child(f"M{n:04d}", day, i < timely, under_four=codes[i] == "PN0")
            children.append(child)
            periods.append(period)
            reviews.append(
                {
                    "review_id": f"MR{n:04d}",
                    "child_id": child["child_id"],
                    "review_date": day.isoformat(),
                    "participation_code": "" if codes[i] == "not_known" else codes[i],
                }
            )
    # the last 436 children are still in care on 31 March; the others left on the day of their review
    for k, (child, period, review) in enumerate(zip(children, periods, reviews, strict=True)):
        in_care = k >= len(children) - IN_CARE
        if not in_care:
            period["end_date"] = review["review_date"]
            continue
        rank = k - (len(children) - IN_CARE)  # 0 … 435
        child["iro_contact_expected"] = "Y" if rank < EXPECTED else "N"
        if rank < WITH_CONTACT:
            contacts.append(
                {"contact_id": f"MK{rank + 1:04d}", "child_id": child["child_id"], "contact_date": "2023-03-01"}
            )
    return {
        "children.csv": children,
        "care_periods.csv": periods,
        "reviews.csv": reviews,
        "iro_contacts.csv": contacts,
        **escalation_files([c["child_id"] for c in children]),
    }


def escalation_files(child_ids: list[str]) -> dict[str, list[dict]]:
    """146 escalations opened informally through the year, 21 going on to stage 1, 9 of those to
    stage 2 and 4 to stage 3; 106 concluded in the year. Each area's concluded escalations are dealt
    out over the 106 concluded ones in turn, its open ones over the other 40, so an escalation names
    each of its areas once and every escalation names at least one."""
    count = STAGES["informal"]
    areas: list[list[str]] = [[] for _ in range(count)]
    closed = [a for a, (_, concluded) in AREAS.items() for _ in range(concluded)]
    still_open = [a for a, (started, concluded) in AREAS.items() for _ in range(started - concluded)]
    for j, area in enumerate(closed):
        areas[j % CLOSED_ESCALATIONS].append(area)
    for j, area in enumerate(still_open):
        areas[CLOSED_ESCALATIONS + j % (count - CLOSED_ESCALATIONS)].append(area)
    escalations, stages = [], []
    for k in range(count):
        escalation_id = f"ME{k + 1:04d}"
        opened = D(2022, 4, 4) + dt.timedelta(days=2 * k)
        row = {"escalation_id": escalation_id, "child_id": child_ids[k], "areas": ";".join(areas[k])}
        if k < CLOSED_ESCALATIONS:
            row |= {"closed_date": (opened + dt.timedelta(days=40)).isoformat(), "resolution": "resolved"}
        escalations.append(row)
        for rank, stage in enumerate(STAGES):
            if k < STAGES[stage]:
                started = opened + dt.timedelta(days=10 * rank)
                stages.append({"escalation_id": escalation_id, "stage": stage, "started_date": started.isoformat()})
    return {"escalations.csv": escalations, "escalation_stages.csv": stages}


def task_files() -> dict[str, list[dict]]:
    """1,316 reviews from April 2022 to early February 2023 (so that every late minute is dated by
    31 March); which are late is spread through the year (a stride of 389 over 1,316)."""
    total = 1316
    children, periods, reviews = [], [], []
    for k in range(total):
        rank = (k * 389) % total  # a permutation of 0 … 1315
        day = START + dt.timedelta(days=(k * 310) // total)
        child, period = _child(f"T{k + 1:04d}", day, rank < 1221)
        children.append(child)
        periods.append(period | {"end_date": day.isoformat()})
        review = {"review_id": f"TR{k + 1:04d}", "child_id": child["child_id"], "review_date": day.isoformat()}
        if rank < 1315:  # recommendations issued: the next day, or 30 days later (after 5 working days)
            review["recommendations_date"] = (day + dt.timedelta(days=1 if rank < 1192 else 30)).isoformat()
        if rank < 1299:  # minutes: a week later, or 45 days later (after 20 working days)
            review["minutes_date"] = (day + dt.timedelta(days=7 if rank < 779 else 45)).isoformat()
        reviews.append(review)
    return {"children.csv": children, "care_periods.csv": periods, "reviews.csv": reviews}


@pytest.fixture
def monthly_year(import_folder, tmp_path):
    import_folder(write_import_files(tmp_path / "monthly", monthly_files()))


@pytest.fixture
def task_year(import_folder, tmp_path):
    import_folder(write_import_files(tmp_path / "task", task_files()))


def build(app):
    from tracker.board import annual

    with app.app_context():
        return annual.build("iro", START, END)


def table(report, key: str) -> dict[str, list]:
    """A table's rows: label → the cells' values."""
    found = next(t for t in report.tables if t.key == key)
    return {row.label: [c.value for c in row.cells] for row in found.rows}


def by_indicator(report, key: str) -> dict[str, list]:
    """A table's rows: the indicator id of the row's cells → the cells' values."""
    found = next(t for t in report.tables if t.key == key)
    return {row.cells[0].indicator_id: [c.value for c in row.cells] for row in found.rows}


def test_the_files_follow_the_import_contract():
    for name, rows in {**monthly_files(), **task_files()}.items():
        assert {k for row in rows for k in row} <= {c.name for c in FILES[name]}, name


def test_reviews_by_month_equal_the_published_figures(app, monthly_year, login_as, client_request):
    report = build(app)
    months = table(report, "reviews_by_month")
    percent, held, timely = months.values()
    assert held == [*TOOK_PLACE, 1339]  # "Total number of reviews complete this year is 1, 339"
    assert timely == [*IN_TIMESCALE, sum(IN_TIMESCALE)]
    assert percent[0] == Decimal("94.21")  # the kpis value, 2 decimals
    assert [whole_percent(p) for p in percent[:12]] == PUBLISHED_PERCENT  # as the report prints them
    assert percent[12] == Decimal("92.91")  # 1,244 of 1,339

    # the page shows them as the table holds them, each figure opening to the reviews behind it
    login_as("iro_manager")
    page = client_request.get("/board/annual/iro?year=2022")
    assert page.h1 == "IRO annual report tables 2022/23"
    rows = page.table("#reviews_by_month")
    assert rows[0][1:4] == ["94.21%", "92.25%", "88.46%"]
    assert rows[1] == ["Child-in-care reviews held", *(f"{n:,}" for n in TOOK_PLACE), "1,339"]
    april_held = page.select("#reviews_by_month tbody tr:nth-of-type(2) td a")[0]["href"]
    assert april_held.startswith("/kpis/reviews.held/numerator?")
    assert "from=1&from=4&from=2022" in april_held and "to=30&to=4&to=2022" in april_held


def test_participation_contacts_and_escalations_equal_the_published_figures(app, monthly_year):
    report = build(app)
    participation = by_indicator(report, "participation_by_month")
    for code, counts in PARTICIPATION.items():
        assert participation[f"reviews.code.{code}"] == [*counts, sum(counts)], code
    assert participation["reviews.code.PN0"] == [
        h - sum(c[m] for c in PARTICIPATION.values()) for m, h in enumerate(TOOK_PLACE)
    ] + [1339 - sum(map(sum, PARTICIPATION.values()))]
    assert table(report, "iro_contacts") == {
        "Children looked after": [436],
        "Children with IRO contact in the last 6 months": [Decimal("95.87")],
        "Children for whom IRO contact is expected": [425],
        "Children expected to have IRO contact who had it in the last 6 months": [Decimal("98.35")],
    }
    assert table(report, "escalations_by_stage") == {
        "Escalations started (informal and stages 1–5)": [146, 21, 9, 4, 0, 0, 180]
    }
    areas = table(report, "areas_of_concern")
    assert list(areas.values()) == [list(pair) for pair in AREAS.values()]
    assert list(areas)[:2] == ["Statutory handbook and care regulations not met", "Care plan implementation"]


def test_the_task_table_equals_the_published_figures(app, task_year):
    """The task table (003:L929–935), from its own dataset: the report's monthly table counts 1,339
    reviews, this table 1,316 (see the module's docstring)."""
    assert table(build(app), "reviews_tasks") == {
        "Child-in-care reviews held": [1316, None],
        "Reviews held in timescale": [1221, Decimal("92.78")],
        "Reviews with recommendations issued": [1315, Decimal("99.92")],
        "Recommendations issued within 5 working days": [1192, Decimal("90.58")],
        "Reviews with minutes completed": [1299, Decimal("98.71")],
        "Minutes completed within 20 working days": [779, Decimal("59.19")],
    }
