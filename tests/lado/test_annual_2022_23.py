"""The LADO annual report 2022/23 (003:L1450–1535) rebuilt from record-level data: every figure
it quotes comes out of the indicators (kpis.md §4).

492 contacts; 163 referrals; 140 IEMs within 5 working days; 158 PAIMs within 28 days;
concluded 88 within 4 weeks, 24 within 8, 20 within 12, 20 longer, 11 still open; 57 substantiated.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

START, END = dt.date(2022, 4, 1), dt.date(2023, 3, 31)
# how many referrals fall in each conclusion bucket, and the days from contact to closure
BUCKETS = [("4w", 88, 27), ("8w", 24, 50), ("12w", 20, 80), ("over", 20, 100), ("open", 11, None)]


@pytest.fixture
def app_config():
    return {"TODAY": "2023-05-01"}


def _build(app):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoMeeting, LadoReferral

    contacts, referrals, meetings = [], [], []
    # referrals are spread over 2022-04-04 … 2022-11-30 so that even the slowest closes by 31 March
    referral_days = [dt.date(2022, 4, 4) + dt.timedelta(days=(i * 240) // 163) for i in range(163)]
    buckets = list(itertools.chain.from_iterable([(name, days)] * n for name, n, days in BUCKETS))
    substantiated_left = 57
    for i, (day, (bucket, days)) in enumerate(zip(referral_days, buckets)):
        cid, rid = f"C{i:04d}", f"R{i:04d}"
        contacts.append(
            dict(contact_id=cid, contact_date=day, employer_sector="education", disposition="referral", summary="")
        )
        iem = day if i >= 23 else day + dt.timedelta(days=20)  # 23 late IEMs, 140 on time
        paim = iem + dt.timedelta(days=10 if i >= 5 else 40)  # 5 late PAIMs, 158 on time
        meetings += [
            dict(
                meeting_id=f"{rid}i",
                referral_id=rid,
                meeting_type="iem",
                meeting_date=iem,
                attendees="",
                minutes_notes="",
                decisions="",
            ),
            dict(
                meeting_id=f"{rid}p",
                referral_id=rid,
                meeting_type="paim",
                meeting_date=paim,
                attendees="",
                minutes_notes="",
                decisions="",
            ),
        ]
        closed = day + dt.timedelta(days=days) if days is not None else None
        outcome = None
        if closed is not None:
            outcome = "substantiated" if substantiated_left > 0 else "unsubstantiated"
            substantiated_left -= outcome == "substantiated"
        referrals.append(
            dict(
                referral_id=rid,
                contact_id=cid,
                referral_date=day,
                police_investigation=False,
                outcome=outcome,
                outcome_date=closed,
                closed_date=closed,
                returned_to_panel=False,
                child_informed=False,
            )
        )
    # 329 contacts that did not become referrals, through the year
    others = ["advice", "internal_investigation", "standards_of_care", "no_further_action"]
    for j in range(329):
        contacts.append(
            dict(
                contact_id=f"N{j:04d}",
                contact_date=START + dt.timedelta(days=(j * 364) // 329),
                employer_sector="health",
                disposition=others[j % 4],
                summary="",
            )
        )
    # and some outside the year, which must not count
    contacts.append(
        dict(
            contact_id="OLD1",
            contact_date=dt.date(2022, 3, 31),
            employer_sector="sport",
            disposition="advice",
            summary="",
        )
    )
    contacts.append(
        dict(
            contact_id="NEW1",
            contact_date=dt.date(2023, 4, 1),
            employer_sector="sport",
            disposition="advice",
            summary="",
        )
    )
    with app.app_context():
        db.session.execute(LadoContact.__table__.insert(), contacts)
        db.session.execute(LadoReferral.__table__.insert(), referrals)
        db.session.execute(LadoMeeting.__table__.insert(), meetings)
        db.session.commit()


def test_the_2022_23_report_figures_come_from_the_indicators(app):
    from tracker.core import kpis
    from tracker.core.kpis import Period

    _build(app)
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


def test_drill_down_lists_the_records_behind_a_figure(app):
    from tracker.core import kpis
    from tracker.core.kpis import Period

    _build(app)
    period = Period(START, END, END)
    with app.app_context():
        late = kpis.drill("lado.conclusion.open", period, "numerator")
        assert len(late) == 11 and all(r["ref"].startswith("R") for r in late)
        assert len(kpis.drill("lado.iem_in_timescale", period, "denominator")) == 163
        assert len(kpis.drill("lado.contacts", period)) == 492
        assert set(late[0]) >= {"ref", "label", "url"}
