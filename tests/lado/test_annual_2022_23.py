"""The LADO annual report 2022/23 (003:L1450–1535) rebuilt from record-level data: every figure
it quotes comes out of the indicators (kpis.md §4).

492 contacts; 163 referrals; 140 IEMs within 5 working days; 158 PAIMs within 28 days;
concluded 88 within 4 weeks, 24 within 8, 20 within 12, 20 longer, 11 still open; 57 substantiated.
"""

from __future__ import annotations

import pytest

from tests.lado.annual_2022_23 import END, START, build_report_year


@pytest.fixture
def app_config():
    return {"TODAY": "2023-05-01"}


@pytest.fixture
def report_year(app):
    """The year of the report, built through the operations (tests/lado/annual_2022_23.py)."""
    from tracker.extensions import db

    with app.app_context():
        build_report_year()
        db.session.commit()


def test_the_2022_23_report_figures_come_from_the_indicators(app, report_year):
    from tracker.core import kpis
    from tracker.core.kpis import Period

    with app.app_context():
        figures = {k: v.as_dict() for k, v in kpis.compute(Period(START, END, END)).items() if k.startswith("lado.")}

    def ratio(id_):
        return figures[id_]["numerator"], figures[id_]["denominator"]

    assert figures["lado.contacts"]["value"] == 492
    assert figures["lado.referrals"]["value"] == 163
    assert ratio("lado.referral_rate") == (163, 492)
    assert figures["lado.referral_rate"]["value"] == 33.13  # "remained consistent, at 33%"
    assert ratio("lado.iem_in_timescale") == (140, 163)
    assert figures["lado.iem_in_timescale"]["value"] == 85.89  # "140 (85%)"
    assert ratio("lado.paim_in_timescale") == (158, 163)
    assert figures["lado.paim_in_timescale"]["value"] == 96.93  # "158 (96%)"
    assert ratio("lado.conclusion.within_4w") == (88, 163)
    assert figures["lado.conclusion.within_4w"]["value"] == 53.99  # "54%"
    assert ratio("lado.conclusion.within_8w") == (24, 163)
    assert ratio("lado.conclusion.within_12w") == (20, 163)
    assert ratio("lado.conclusion.over_12w") == (20, 163)
    assert ratio("lado.conclusion.open") == (11, 163)
    assert ratio("lado.outcome.substantiated") == (57, 163)
    assert figures["lado.outcome.substantiated"]["value"] == 34.97  # "around 34%"
    assert ratio("lado.outcome.pending") == (11, 163)
    assert figures["lado.contacts_by_disposition.referral"]["value"] == 163
    assert figures["lado.contacts_by_sector.sport"]["value"] == 0
    assert figures["lado.referrals_by_sector.education"]["value"] == 163


def test_drill_down_lists_the_records_behind_a_figure(app, report_year):
    from tracker.core import kpis
    from tracker.core.kpis import Period

    period = Period(START, END, END)
    with app.app_context():
        still_open = kpis.drill("lado.conclusion.open", period, "numerator")
        assert [r["ref"] for r in still_open] == [f"LR{n:05d}" for n in range(153, 164)]  # the last 11 made
        assert still_open[0] == {
            "ref": "LR00153",
            "label": "Referral LR00153 of 13 November 2022",
            "url": "/lado/referrals/LR00153",
        }
        assert len(kpis.drill("lado.iem_in_timescale", period, "denominator")) == 163
        assert len(kpis.drill("lado.iem_in_timescale", period, "numerator")) == 140
        assert len(kpis.drill("lado.contacts", period)) == 492
