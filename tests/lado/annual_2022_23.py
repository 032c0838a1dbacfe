"""The LADO annual report's year 2022/23 (003:L1450–1535) as record-level data, built through the
operations (as the LADO would have recorded it): shared by the indicators' test
(tests/lado/test_annual_2022_23.py) and the board's annual tables (tests/board/test_annual_lado.py).

492 contacts; 163 referrals; 140 IEMs within 5 working days; 158 PAIMs within 28 days; concluded
88 within 4 weeks, 24 within 8, 20 within 12, 20 longer, 11 still open; outcomes 57 substantiated
("around 34%"), 31 unfounded ("19% this year"), the other 64 closed unsubstantiated.

With ``foster_carers``, the council's own foster carers as 8.2–8.4 report them: 19 contacts, of
which 9 dealt with under fostering standards of care and 10 referrals (6 about connected carers;
2 substantiated, 2 unfounded, 6 unsubstantiated; all returned to panel). Those 10 referrals are
of the foster care sector; every other referral is of education.
"""

from __future__ import annotations

import datetime as dt
import itertools

from tests.lado import factories

START, END = dt.date(2022, 4, 1), dt.date(2023, 3, 31)
# how many referrals fall in each conclusion bucket, and the days from contact to closure
BUCKETS = [(88, 27), (24, 50), (20, 80), (20, 100), (11, None)]  # within 4, 8, 12 weeks, longer, open
SUBSTANTIATED, UNFOUNDED = 57, 31  # of the 152 closed, in that order; the rest unsubstantiated
OTHER_DISPOSITIONS = ["advice", "internal_investigation", "standards_of_care", "no_further_action"]
# with ``foster_carers``: the referrals (by index) about own foster carers, and those about connected carers
FOSTER_CARER_REFERRALS = {0, 1, 57, 58, 88, 89, 90, 91, 92, 93}  # 2 substantiated, 2 unfounded, 6 unsubstantiated
CONNECTED = {0, 57, 88, 89, 90, 91}
FOSTER_CARER_CONTACTS = 9  # dealt with under standards of care (the first 9 such contacts)


def build_report_year(*, foster_carers: bool = False) -> None:
    """The year's records (inside an app context; the caller commits)."""
    # referrals are spread over 2022-04-04 … 2022-11-30 so that even the slowest closes by 31 March
    referral_days = [dt.date(2022, 4, 4) + dt.timedelta(days=(i * 240) // 163) for i in range(163)]
    to_closure = list(itertools.chain.from_iterable([days] * n for n, days in BUCKETS))
    for i, (day, days) in enumerate(zip(referral_days, to_closure, strict=True)):
        carer = {}
        if foster_carers and i in FOSTER_CARER_REFERRALS:
            carer = {
                "employer_sector": "foster_care",
                "foster_carer_agency": "own",
                "foster_carer_type": "connected" if i in CONNECTED else "mainstream",
            }
        referral = factories.referral(day, **carer)  # a contact logged as a referral, the same day
        iem = day if i >= 23 else day + dt.timedelta(days=20)  # 23 late IEMs, 140 on time
        factories.meeting(referral, "iem", iem)
        factories.meeting(referral, "paim", iem + dt.timedelta(days=10 if i >= 5 else 40))  # 5 late PAIMs
        if days is not None:
            closed = day + dt.timedelta(days=days)
            outcome = (
                "substantiated"
                if i < SUBSTANTIATED
                else "unfounded"
                if i < SUBSTANTIATED + UNFOUNDED
                else "unsubstantiated"
            )
            factories.outcome(referral, outcome, closed)
            factories.closed(referral, closed, **({"returned_to_panel": True} if carer else {}))
    # 329 contacts that did not become referrals, through the year
    standards_of_care = 0
    for j in range(329):
        disposition = OTHER_DISPOSITIONS[j % 4]
        carer = {}
        if foster_carers and disposition == "standards_of_care" and standards_of_care < FOSTER_CARER_CONTACTS:
            standards_of_care += 1
            carer = {"foster_carer_agency": "own", "foster_carer_type": "mainstream"}
        factories.contact(
            START + dt.timedelta(days=(j * 364) // 329), employer_sector="health", disposition=disposition, **carer
        )
    # and some outside the year, which must not count
    factories.contact(dt.date(2022, 3, 31), employer_sector="sport")
    factories.contact(dt.date(2023, 4, 1), employer_sector="sport")
