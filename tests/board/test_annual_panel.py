"""The fostering panel annual report's tables for 2022/23 (000:L652–689) built from the record-level
year of tests/panels/test_annual_2022_23.py (``panel_year``: imported through ``import-data``; how
the report's case table is read is explained there): 46 panels booked, 34 held, 12 cancelled, 139
cases at 4.09 a meeting, the case types × recommendations with approvals split mainstream /
connected, 3 ADM decisions not agreed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.panels.conftest import write_import_files
from tests.panels.test_annual_2022_23 import END, START, panel_year

HUNDRED = Decimal("100.00")


@pytest.fixture
def app_config():
    return {"TODAY": "2023-05-01"}


@pytest.fixture
def year(import_folder, tmp_path):
    import_folder(write_import_files(tmp_path / "year", panel_year()))


def test_the_panel_tables_equal_the_published_figures(app, year):
    from tracker.board import annual

    with app.app_context():
        report = annual.build("panel", START, END)
    got = {t.key: {row.label: [c.value for c in row.cells] for row in t.rows} for t in report.tables}

    meetings = {label: values[-1] for label, values in got["meetings_by_month"].items()}
    assert meetings == {
        "Meetings booked": 46,  # "a potential 46 booked dates"
        "Meetings held": 34,  # "34 panel meetings were held"
        "Meetings cancelled": 12,  # "12 panels cancelled"
        "Cases heard": 139,  # "139 cases were heard in total"
        "Cases heard per meeting held": Decimal("4.09"),  # "averaging 4.1 cases per panel"
    }
    for label in ("Meetings booked", "Meetings held", "Meetings cancelled", "Cases heard"):  # the months add up
        assert sum(got["meetings_by_month"][label][:12]) == meetings[label], label

    # total presented, positive, deferred, negative, not applicable (000:L676–683)
    assert got["cases_by_type"] == {
        "Approval": [35, 34, 0, 1, 0],  # "New Approvals 35"
        "Approval: Mainstream": [12, 12, 0, 0, 0],  # "Mainstream - 12", "Mainstream – 12"
        "Approval: Connected person": [23, 22, 0, 1, 0],  # "Connected Persons - 23", "Connected Persons – 22"
        "Regulation 25 extension": [2, 2, 0, 0, 0],
        "Resignation": [33, 0, 0, 0, 33],  # "33 (plus 3 deregistration)"
        "Deregistration": [3, 0, 0, 0, 3],
        "First review": [26, 26, 0, 0, 0],
        "Third-year review": [19, 19, 0, 0, 0],
        "Review after an allegation": [13, 11, 2, 0, 0],
        "Change of terms of approval": [8, 7, 1, 0, 0],  # "Change of status 8 ... 7 ... 1"
        "Long-term match": [0, 0, 0, 0, 0],
        "Other": [0, 0, 0, 0, 0],
        "Cases heard": [139, 99, 3, 1, 36],  # "TOTAL CASES 139"
    }
    assert got["decisions"] == {
        "ADM decisions not agreeing with the recommendation": [3],  # "3 differing ADM decisions"
        "ADM decisions within 7 working days of the final minutes": [HUNDRED],
        "Papers sent to members 5 working days before the meeting": [HUNDRED],
        "Meetings held that were quorate": [HUNDRED],
    }
