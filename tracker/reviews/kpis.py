"""Indicators of kpis.md §1 (child-in-care reviews) and §2 (IRO contact), set-based.

``figures(period, officer=None)`` computes every figure with two queries (one over the
reviews held in the period, one over the children looked after at the as-of date); the
registered group calls it with ``officer=None``, the team page with a QARO's officer id so
that a QARO's own figures come from the same definitions.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.core import kpis
from tracker.core.kpis import COUNT, PERCENT, Indicator, Period, Ratio
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.reviews.models import ParticipationCode
from tracker.reviews.queries import child_flags, review_flags
from tracker.web.records import record_url

SECTION_REVIEWS = "Child-in-care reviews"
SECTION_CONTACTS = "IRO contact with children"

# id -> (numerator flag, denominator flag or None for counts, unit, label, good_is)
REVIEW_DEFS: dict[str, tuple] = {
    "reviews.held": ("held", None, COUNT, "Child-in-care reviews held", "-"),
    "reviews.in_timescale": ("in_timescale", "held", PERCENT, "Reviews held in timescale", "High"),
    "reviews.recommendations_issued": (
        "recommendations_issued",
        "held",
        PERCENT,
        "Reviews with recommendations issued",
        "High",
    ),
    "reviews.recommendations_in_timescale": (
        "recommendations_in_timescale",
        "held",
        PERCENT,
        "Recommendations issued within {review_recommendations}",
        "High",
    ),
    "reviews.minutes_completed": ("minutes_completed", "held", PERCENT, "Reviews with minutes completed", "High"),
    "reviews.minutes_in_timescale": (
        "minutes_in_timescale",
        "held",
        PERCENT,
        "Minutes completed within {review_minutes}",
        "High",
    ),
    "reviews.participation": (
        "participating",
        "participation_counted",
        PERCENT,
        "Children participating in their review (PN1–PN6)",
        "High",
    ),
}
for _code in ParticipationCode:
    REVIEW_DEFS[f"reviews.code.{_code}"] = (f"code_{_code}", None, COUNT, f"Reviews coded {_code}: {_code.label}", "-")
REVIEW_DEFS["reviews.code.not_known"] = ("code_not_known", None, COUNT, "Reviews with participation not known", "-")

CHILD_DEFS: dict[str, tuple] = {
    "reviews.overdue": ("review_overdue", None, COUNT, "Children whose review is overdue", "Low"),
    "contacts.children_in_care": ("looked_after", None, COUNT, "Children looked after", "-"),
    "contacts.with_contact_6m": (
        "contact_6m",
        "looked_after",
        PERCENT,
        "Children with IRO contact in the last 6 months",
        "High",
    ),
    "contacts.expected": ("contact_expected", None, COUNT, "Children for whom IRO contact is expected", "-"),
    "contacts.expected_with_contact_6m": (
        "expected_contact_6m",
        "contact_expected",
        PERCENT,
        "Children expected to have IRO contact who had it in the last 6 months",
        "High",
    ),
}
# Catalogue order of kpis.md: reviews.overdue closes §1.
ORDER = list(REVIEW_DEFS) + list(CHILD_DEFS)


def _indicator(ind_id: str) -> Indicator:
    defs = REVIEW_DEFS.get(ind_id) or CHILD_DEFS[ind_id]
    section = SECTION_CONTACTS if ind_id.startswith("contacts.") else SECTION_REVIEWS
    return Indicator(ind_id, defs[2], defs[3], section, "children", good_is=defs[4])


INDICATORS = [_indicator(i) for i in ORDER]


def _sums(subquery, defs: dict) -> dict:
    flags = sorted({d[0] for d in defs.values()} | {d[1] for d in defs.values() if d[1]})
    row = (
        db.session.execute(select(*[func.coalesce(func.sum(subquery.c[f]), 0).label(f) for f in flags]))
        .mappings()
        .one()
    )
    out = {}
    for ind_id, (num, den, *_rest) in defs.items():
        out[ind_id] = int(row[num]) if den is None else Ratio(int(row[num]), int(row[den]))
    return out


def figures(period: Period, officer: str | None = None) -> dict:
    """Every reviews.* and contacts.* value for the period (optionally one QARO's: the same
    definitions, for ``officer_figures``)."""
    result = _sums(review_flags(period.start, period.end, period.as_of, officer), REVIEW_DEFS)
    result.update(_sums(child_flags(period.as_of, officer), CHILD_DEFS))
    return result


def officer_figures(period: Period, officer: str) -> dict[str, kpis.Figure]:
    """One QARO's own figures (the team page, the caseload), rounded as every figure is."""
    return kpis.figures(INDICATORS, figures(period, officer))


def compute(period: Period) -> dict:
    return figures(period)


def drill(indicator_id: str, period: Period, part: str = "numerator", officer: str | None = None) -> list[dict]:
    """The reviews (or children) behind a figure: rows with ref, label and url."""
    if indicator_id in REVIEW_DEFS:
        num, den = REVIEW_DEFS[indicator_id][:2]
        flag = den if part == "denominator" and den else num
        sq = review_flags(period.start, period.end, period.as_of, officer)
        rows = db.session.execute(
            select(sq.c.review_id, sq.c.child_id, sq.c.review_date, sq.c.due_date)
            .where(sq.c[flag] == 1)
            .order_by(sq.c.review_date, sq.c.review_id)
        ).all()
        return [
            {
                "ref": review_id,
                "label": f"Review {review_id} of {child_id} held {format_date(review_date)}"
                + (f" (due {format_date(due)})" if due else ""),
                "url": record_url("child", child_id),
                "child_id": child_id,
            }
            for review_id, child_id, review_date, due in rows
        ]
    num, den = CHILD_DEFS[indicator_id][:2]
    flag = den if part == "denominator" and den else num
    sq = child_flags(period.as_of, officer)
    rows = db.session.execute(select(sq.c.child_id, sq.c.due_date).where(sq.c[flag] == 1).order_by(sq.c.child_id)).all()
    return [
        {
            "ref": child_id,
            "label": f"Child {child_id} (next review due {format_date(due)})" if due else f"Child {child_id}",
            "url": record_url("child", child_id),
        }
        for child_id, due in rows
    ]


kpis.register_group(INDICATORS, compute, drill)
