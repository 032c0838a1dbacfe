"""The consultation indicators (issue 17): take-up by respondent group, month by month.

A respondent counts in the period of the review they were asked about (the round's review date
in the period): ``consultations.sent`` are the people asked (by email or on paper),
``consultations.returned`` those of them whose answers were sent by the as-of date, and
``consultations.return_rate`` the one over the other — each in total and for the child,
parents, carers, other family members and professionals. ``consultations.reviews_with_child_view``
is the share of the period's consulted reviews where the child's own answers came back.
Two queries: respondents by group, and rounds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, select

from tracker.consultations.models import ConsultationRound, Respondent, RespondentGroup, RespondentType
from tracker.core.clock import start_of_day_utc
from tracker.core.kpis import COUNT, PERCENT, Indicator, Period, Ratio, register_group
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.web.records import record_url

SECTION = "Consultations before reviews"
FAMILY = "children"
GROUPS = tuple(RespondentGroup)


def _indicators() -> list[Indicator]:
    out = []
    for suffix, who in [("", "everyone asked"), *[(f".{g.value}", g.label.lower()) for g in GROUPS]]:
        out += [
            Indicator(f"consultations.sent{suffix}", COUNT, f"Consultations sent: {who}", SECTION, FAMILY),
            Indicator(
                f"consultations.returned{suffix}", COUNT, f"Consultations returned: {who}", SECTION, FAMILY, "High"
            ),
            Indicator(
                f"consultations.return_rate{suffix}",
                PERCENT,
                f"Consultations returned: {who} (% of those sent)",
                SECTION,
                FAMILY,
                "High",
                help="Of the people asked before the reviews in the period, the share whose answers came back by the "
                "as-of date.",
            ),
        ]
    out.append(
        Indicator(
            "consultations.reviews_with_child_view",
            PERCENT,
            "Reviews whose consultation has the child's own answers",
            SECTION,
            FAMILY,
            "High",
            help="Of the reviews in the period with a consultation, the share where the child's answers came back.",
        )
    )
    return out


INDICATORS = _indicators()
_GROUP_OF = case(
    *[(Respondent.respondent_type == t.value, t.group.value) for t in RespondentType], else_="professional"
)


def _in_period(p: Period):
    return ConsultationRound.review_date.between(p.start, p.end)


def _returned(p: Period):
    return and_(
        Respondent.submitted_at.is_not(None), Respondent.submitted_at < start_of_day_utc(p.as_of + dt.timedelta(days=1))
    )


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def compute(p: Period) -> dict:
    values: dict = {}
    by_group = {g.value: (0, 0) for g in GROUPS}
    for group, sent, returned in db.session.execute(
        select(_GROUP_OF, func.count(), _count(_returned(p)))
        .join(ConsultationRound, ConsultationRound.id == Respondent.round_pk)
        .where(_in_period(p))
        .group_by(_GROUP_OF)
    ):
        by_group[group] = (sent, returned)
    for suffix, (sent, returned) in [
        ("", (sum(s for s, _ in by_group.values()), sum(r for _, r in by_group.values()))),
        *[(f".{g}", v) for g, v in by_group.items()],
    ]:
        values[f"consultations.sent{suffix}"] = sent
        values[f"consultations.returned{suffix}"] = returned
        values[f"consultations.return_rate{suffix}"] = Ratio(returned, sent)
    child_answered = (
        select(Respondent.id)
        .where(
            Respondent.round_pk == ConsultationRound.id,
            Respondent.respondent_type == RespondentType.child,
            _returned(p),
        )
        .exists()
    )
    rounds, with_child = db.session.execute(
        select(func.count(), _count(child_answered)).select_from(ConsultationRound).where(_in_period(p))
    ).one()
    values["consultations.reviews_with_child_view"] = Ratio(with_child or 0, rounds or 0)
    return values


def drill(indicator_id: str, p: Period, part: str = "numerator") -> list[dict]:
    """The respondents (or, for the child's-view figure, the rounds) behind a figure."""
    name = indicator_id.removeprefix("consultations.")
    if name == "reviews_with_child_view":
        query = select(ConsultationRound.round_id, ConsultationRound.review_date).where(_in_period(p))
        if part == "numerator":
            query = query.where(
                select(Respondent.id)
                .where(
                    Respondent.round_pk == ConsultationRound.id,
                    Respondent.respondent_type == RespondentType.child,
                    _returned(p),
                )
                .exists()
            )
        rows = db.session.execute(query.order_by(ConsultationRound.review_date, ConsultationRound.round_id)).all()
        return [
            {
                "ref": r.round_id,
                "label": f"{r.round_id}: review on {format_date(r.review_date)}",
                "url": record_url("consultation_round", r.round_id),
            }
            for r in rows
        ]
    measure, _, group = name.partition(".")
    if measure not in ("sent", "returned", "return_rate"):
        raise KeyError(indicator_id)
    query = (
        select(
            ConsultationRound.round_id,
            ConsultationRound.review_date,
            Respondent.respondent_type,
            Respondent.submitted_at,
        )
        .join(ConsultationRound, ConsultationRound.id == Respondent.round_pk)
        .where(_in_period(p))
    )
    if group:
        query = query.where(RespondentGroup(group).value == _GROUP_OF)
    if measure == "returned" or (measure == "return_rate" and part == "numerator"):
        query = query.where(_returned(p))
    rows = db.session.execute(query.order_by(ConsultationRound.review_date, ConsultationRound.round_id, Respondent.id))
    return [
        {
            "ref": r.round_id,
            "label": f"{r.round_id}: {RespondentType(r.respondent_type).label}, review on {format_date(r.review_date)}"
            + (f", answered {format_date(r.submitted_at.date())}" if r.submitted_at else ", not answered"),
            "url": record_url("consultation_round", r.round_id),
        }
        for r in rows
    ]


register_group(INDICATORS, compute, drill)
