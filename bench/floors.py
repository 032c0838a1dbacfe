"""Floors for the benchmarks (issue 18): the same figures by one hand-written SQL statement.

``reviews(months)`` computes every figure of the reviews family (kpis.md §1 and §2) for each
month of ``months`` in one statement over the same tables and the same calendar table the
tracker reads: each review's place in its care period's chain by window functions (once, over
the care periods that overlap the months asked for), each deadline by a lookup in
``calendar_days``, then one ``GROUP BY`` month. ``make bench`` times it beside the tracker's own
figures for the same months and checks that both give the same numbers, so the ratio compares
like with like.

It is a yardstick, not a second implementation: it knows the default rules' units (working
days for the first review, months after; ``bench/run.py`` reads the amounts from the rules) and
nothing else of the tracker — no ORM, no rule registry, no chain module.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, bindparam, text

from tracker.core.kpis import Period, Ratio
from tracker.reviews.models import ParticipationCode

CODES = [c.value for c in ParticipationCode]
PARTICIPATING = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")


def _wd(day: str, amount: str) -> str:
    """SQL: ``amount`` working days after the date ``day`` (a working day's own ``wd_seq``)."""
    return (
        f"(SELECT wb.day FROM calendar_days wa JOIN calendar_days wb ON wb.wd_seq = wa.wd_seq + {amount} "
        f"AND wb.working WHERE wa.day = {day})"
    )


def _months_after(day: str, amount: str) -> str:
    """SQL: ``amount`` calendar months after ``day``, clipped to the month's last day: the target
    month's first day (by month and day of month) plus the days before the clipped day."""
    return (
        f"(SELECT mc.day FROM calendar_days ma JOIN calendar_days mb ON mb.month_index = ma.month_index + {amount} "
        f"AND mb.dom = 1 JOIN calendar_days mc ON mc.day_seq = mb.day_seq - 1 + "
        f"CASE WHEN ma.dom <= mb.month_len THEN ma.dom ELSE mb.month_len END WHERE ma.day = {day})"
    )


def _flag(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


_PARTICIPATING = ", ".join(f"'{c}'" for c in PARTICIPATING)

REVIEWS_HELD = f"""
WITH ends AS (
    SELECT day AS as_of, month_index FROM calendar_days
    WHERE dom = month_len AND day BETWEEN :first AND :last
),
chain AS (
    SELECT r.review_date, r.recommendations_date AS rec, r.minutes_date AS mins,
           r.participation_code AS code, p.start_date AS pstart,
           ROW_NUMBER() OVER (PARTITION BY p.id ORDER BY r.review_date, r.review_id) AS seq,
           LAG(r.review_date) OVER (PARTITION BY p.id ORDER BY r.review_date, r.review_id) AS prev
    FROM care_periods p
    JOIN reviews r ON r.child_pk = p.child_pk AND r.removed_at IS NULL
         AND r.review_date >= p.start_date AND (p.end_date IS NULL OR r.review_date <= p.end_date)
    WHERE p.removed_at IS NULL AND p.start_date <= :last AND (p.end_date IS NULL OR p.end_date >= :first)
),
due AS (
    SELECT e.month_index, e.as_of, c.*,
           CASE WHEN c.seq = 1 THEN {_wd("c.pstart", ":first_wd")}
                WHEN c.seq = 2 THEN {_months_after("c.prev", ":second_months")}
                ELSE {_months_after("c.prev", ":later_months")} END AS due_date,
           {_wd("c.review_date", ":rec_wd")} AS rec_due,
           {_wd("c.review_date", ":mins_wd")} AS mins_due
    FROM chain c JOIN calendar_days d ON d.day = c.review_date
    JOIN ends e ON e.month_index = d.month_index
    WHERE c.review_date BETWEEN :first AND :last
)
SELECT month_index,
       COUNT(*) AS held,
       {_flag("review_date <= due_date")} AS in_timescale,
       {_flag("rec <= as_of")} AS recommendations_issued,
       {_flag("rec <= as_of AND rec <= rec_due")} AS recommendations_in_timescale,
       {_flag("mins <= as_of")} AS minutes_completed,
       {_flag("mins <= as_of AND mins <= mins_due")} AS minutes_in_timescale,
       {_flag(f"code IN ({_PARTICIPATING})")} AS participating,
       {_flag("code IS NULL OR code <> 'PN0'")} AS participation_counted,
       {_flag("code IS NULL")} AS code_not_known,
       {{codes}}
FROM due GROUP BY month_index
""".replace("{codes}", ", ".join(_flag(f"code = '{c}'") + f' AS "code_{c}"' for c in CODES))

CHILDREN_IN_CARE = f"""
WITH ends AS (
    SELECT e.day AS as_of, e.month_index, s.day AS since FROM calendar_days e
    JOIN calendar_days s ON s.month_index = e.month_index - :contact_months - 1 AND s.dom = 1
    WHERE e.dom = e.month_len AND e.day BETWEEN :first AND :last
),
stats AS (
    SELECT e.month_index, e.as_of, p.child_pk, p.start_date,
           COUNT(r.id) AS n, MAX(r.review_date) AS last_review
    FROM ends e
    JOIN care_periods p ON p.removed_at IS NULL AND p.start_date <= e.as_of
         AND (p.end_date IS NULL OR p.end_date > e.as_of)
    LEFT JOIN reviews r ON r.child_pk = p.child_pk AND r.removed_at IS NULL
         AND r.review_date >= p.start_date AND r.review_date <= e.as_of
    GROUP BY e.month_index, e.as_of, p.id, p.child_pk, p.start_date
),
contacts AS (
    SELECT e.month_index, c.child_pk, MAX(c.contact_date) AS last_contact
    FROM ends e JOIN iro_contacts c ON c.removed_at IS NULL AND c.contact_date <= e.as_of
         AND c.contact_date >= e.since
    GROUP BY e.month_index, c.child_pk
),
flags AS (
    SELECT s.month_index, s.as_of, ch.iro_contact_expected AS expected,
           CASE WHEN s.n = 0 THEN {_wd("s.start_date", ":first_wd")}
                WHEN s.n = 1 THEN {_months_after("s.last_review", ":second_months")}
                ELSE {_months_after("s.last_review", ":later_months")} END AS due_date,
           {_months_after("k.last_contact", ":contact_months")} AS contact_until
    FROM stats s JOIN children ch ON ch.id = s.child_pk
    LEFT JOIN contacts k ON k.month_index = s.month_index AND k.child_pk = s.child_pk
)
SELECT month_index,
       COUNT(*) AS looked_after,
       {_flag("due_date < as_of")} AS review_overdue,
       {_flag("contact_until >= as_of")} AS contact_6m,
       {_flag("expected")} AS contact_expected,
       {_flag("expected AND contact_until >= as_of")} AS expected_contact_6m
FROM flags GROUP BY month_index
"""


def _statement(sql: str, amounts: dict[str, int]):
    return text(sql).bindparams(
        bindparam("first", type_=Date),
        bindparam("last", type_=Date),
        *[bindparam(name, value, type_=Integer) for name, value in amounts.items()],
    )


def reviews(session, months: list[Period], amounts: dict[str, int]) -> dict[dt.date, dict]:
    """The reviews family's figures for each month (keyed by its first day), as ``kpis.compute``
    gives them. ``amounts``: first_wd, second_months, later_months, rec_wd, mins_wd,
    contact_months — the rules' amounts."""
    from tracker.reviews.kpis import CHILD_DEFS, REVIEW_DEFS

    first, last = months[0].start, months[-1].end
    defs = {**REVIEW_DEFS, **CHILD_DEFS}
    empty = {ind_id: 0 if den is None else Ratio(0, 0) for ind_id, (_num, den, *_rest) in defs.items()}
    out: dict[dt.date, dict] = {p.start: dict(empty) for p in months}  # a month with no rows has nothing
    index = {p.start.year * 12 + p.start.month - 1: p.start for p in months}
    for sql, family, needs in (
        (REVIEWS_HELD, REVIEW_DEFS, ("first_wd", "second_months", "later_months", "rec_wd", "mins_wd")),
        (CHILDREN_IN_CARE, CHILD_DEFS, ("first_wd", "second_months", "later_months", "contact_months")),
    ):
        stmt = _statement(sql, {k: amounts[k] for k in needs})
        for row in session.execute(stmt, {"first": first, "last": last}).mappings():
            values = out[index[row["month_index"]]]
            for ind_id, (num, den, *_rest) in family.items():
                n = int(row[num] or 0)
                values[ind_id] = n if den is None else Ratio(n, int(row[den] or 0))
    return out


# --- halving the history (the history-doubling ratio) ------------------------------------------

_OLD_CHILDREN = """
    SELECT c.id FROM children c
    WHERE EXISTS (SELECT 1 FROM care_periods p WHERE p.child_pk = c.id)
      AND NOT EXISTS (SELECT 1 FROM care_periods p WHERE p.child_pk = c.id
                      AND (p.end_date IS NULL OR p.end_date >= :cutoff))
"""
_OLD_REFERRALS = """
    SELECT f.referral_id FROM lado_referrals f JOIN lado_contacts k ON k.contact_id = f.contact_id
    WHERE k.contact_date < :cutoff AND f.closed_date IS NOT NULL AND f.closed_date < :cutoff
      AND NOT EXISTS (SELECT 1 FROM panel_cases pc WHERE pc.lado_referral_id = f.referral_id)
      AND NOT EXISTS (SELECT 1 FROM lado_actions a WHERE a.referral_id = f.referral_id
                      AND (a.completed_date IS NULL OR a.completed_date >= :cutoff))
"""
_OLD_CONTACTS = """
    SELECT k.contact_id FROM lado_contacts k
    WHERE k.contact_date < :cutoff AND NOT EXISTS (SELECT 1 FROM lado_referrals f WHERE f.contact_id = k.contact_id)
"""
FORGET = (
    f"DELETE FROM consultation_answers WHERE respondent_pk IN (SELECT r.id FROM consultation_respondents r "
    f"JOIN consultation_rounds o ON o.id = r.round_pk WHERE o.child_pk IN ({_OLD_CHILDREN}))",
    f"DELETE FROM consultation_links WHERE respondent_pk IN (SELECT r.id FROM consultation_respondents r "
    f"JOIN consultation_rounds o ON o.id = r.round_pk WHERE o.child_pk IN ({_OLD_CHILDREN}))",
    f"DELETE FROM consultation_respondents WHERE round_pk IN "
    f"(SELECT id FROM consultation_rounds WHERE child_pk IN ({_OLD_CHILDREN}))",
    f"DELETE FROM consultation_rounds WHERE child_pk IN ({_OLD_CHILDREN})",
    f"DELETE FROM escalation_stages WHERE escalation_pk IN (SELECT id FROM escalations WHERE child_pk IN ({_OLD_CHILDREN}))",
    f"DELETE FROM escalation_areas WHERE escalation_pk IN (SELECT id FROM escalations WHERE child_pk IN ({_OLD_CHILDREN}))",
    f"DELETE FROM escalations WHERE child_pk IN ({_OLD_CHILDREN})",
    f"DELETE FROM iro_contacts WHERE child_pk IN ({_OLD_CHILDREN})",
    f"DELETE FROM reviews WHERE child_pk IN ({_OLD_CHILDREN})",
    f"DELETE FROM lado_actions WHERE referral_id IN ({_OLD_REFERRALS})",
    f"DELETE FROM lado_meetings WHERE referral_id IN ({_OLD_REFERRALS})",
    f"DELETE FROM lado_contact_categories WHERE contact_id IN (SELECT contact_id FROM lado_referrals WHERE referral_id IN ({_OLD_REFERRALS}))",
    f"DELETE FROM lado_referrals WHERE referral_id IN ({_OLD_REFERRALS})",
    f"DELETE FROM lado_contact_categories WHERE contact_id IN ({_OLD_CONTACTS})",
    f"DELETE FROM lado_contacts WHERE contact_id IN ({_OLD_CONTACTS})",
)


def forget_history_before(session, cutoff: dt.date) -> None:
    """Delete what was over before ``cutoff``: the children whose every care period ended before
    it (with their reviews, contacts, escalations and consultations), the LADO contacts of before
    it that led to no referral, and the referrals closed before it
    with every action done before it. The children looked after,
    the referrals open and everything of the years after are untouched, so a later year's
    figures must not change (``bench/run.py`` checks that they do not)."""
    when = bindparam("cutoff", cutoff, type_=Date)
    old = [row[0] for row in session.execute(text(_OLD_CHILDREN).bindparams(when))]  # before their periods go
    for sql in FORGET:
        session.execute(text(sql).bindparams(when))
    for table, column in (("care_periods", "child_pk"), ("children", "id")):  # no cascade on SQLite
        for i in range(0, len(old), 500):
            session.execute(text(f"DELETE FROM {table} WHERE {column} IN ({', '.join(map(str, old[i : i + 500]))})"))
    session.commit()
