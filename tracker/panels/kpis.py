"""Panel and foster carer review indicators (kpis.md §5), family "panels", computed set-based.

``panel.<panel>.*`` (fostering and adoption): two GROUP BY queries over the frames of
``queries`` (meetings in the period, cases heard in the period, each condition a 0/1 column);
``drill`` reads the same frames, so a figure and its list of records can never disagree.
``carer_reviews.*`` are registered in their own group further down.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from tracker.core import timescales
from tracker.core.kpis import AVERAGE, COUNT, PERCENT, Indicator, Period, Ratio, register_group
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.panels import queries
from tracker.panels.models import (
    AdmDecision,
    CarerReview,
    CaseType,
    FosterHousehold,
    MeetingStatus,
    Panel,
    Recommendation,
)
from tracker.web.records import record_url

# --- panel.* indicators (meetings and cases) -------------------------------------------------

PANEL_SECTION = "Panels"
PANEL_FAMILY = "panels"
# per panel: the meeting frame's flag behind each meeting count (None: every meeting in the period)
_MEETING_COUNTS = {"meetings.booked": None, "meetings.held": "held", "meetings.cancelled": "cancelled"}
# per panel: the case frame's flags behind each percentage (numerator, denominator: None = every case heard)
_CASE_RATIOS = {"papers_in_timescale": ("papers_ok", None), "adm_in_timescale": ("adm_ok", "adm_due")}
_CASE_FLAGS = ("papers_ok", "adm_due", "adm_ok", "not_agreed")


def _panel_indicators(panel: Panel) -> list[Indicator]:
    name = panel.label  # "Fostering panel"

    def ind(suffix: str, unit: str, label: str, good_is: str = "-") -> Indicator:
        return Indicator(f"panel.{panel}.{suffix}", unit, f"{name}: {label}", PANEL_SECTION, PANEL_FAMILY, good_is)

    return [
        ind("meetings.booked", COUNT, "meetings booked"),
        ind("meetings.held", COUNT, "meetings held"),
        ind("meetings.cancelled", COUNT, "meetings cancelled", "Low"),
        ind("meetings.quorate", PERCENT, "meetings held that were quorate", "High"),
        ind("cases", COUNT, "cases heard"),
        ind("cases_per_meeting", AVERAGE, "cases heard per meeting held"),
        *(ind(f"cases.{t}", COUNT, f"cases heard: {t.label}") for t in panel.case_types),
        *(ind(f"recommendation.{r}", COUNT, f"recommendations: {r.label}") for r in Recommendation),
        ind("papers_in_timescale", PERCENT, "papers sent to members {panel_papers} the meeting", "High"),
        ind("adm_in_timescale", PERCENT, "ADM decisions within {adm_decision} of the final minutes", "High"),
        ind("adm_not_agreed", COUNT, "ADM decisions not agreeing with the recommendation"),
    ]


PANEL_INDICATORS = [ind for panel in Panel for ind in _panel_indicators(panel)]


def compute_panels(period: Period) -> dict:
    values: dict = {ind.id: 0 for ind in PANEL_INDICATORS if ind.unit == COUNT}

    # meetings by panel (one GROUP BY)
    mf = queries.panel_meetings_in(period)
    meetings = {panel: dict.fromkeys(("booked", "held", "cancelled", "quorate"), 0) for panel in Panel.codes()}
    for row in db.session.execute(
        select(
            mf.c.panel,
            func.count().label("booked"),
            func.sum(mf.c.held).label("held"),
            func.sum(mf.c.cancelled).label("cancelled"),
            func.sum(mf.c.quorate).label("quorate"),
        ).group_by(mf.c.panel)
    ):
        meetings[row.panel] = {k: int(getattr(row, k) or 0) for k in ("booked", "held", "cancelled", "quorate")}

    # cases heard by panel × case type × recommendation (one GROUP BY)
    cf = queries.heard_cases(period)
    cases = {panel: dict.fromkeys(("n", *_CASE_FLAGS), 0) for panel in Panel.codes()}
    for row in db.session.execute(
        select(
            cf.c.panel,
            cf.c.case_type,
            cf.c.recommendation,
            func.count().label("n"),
            *(func.sum(cf.c[f]).label(f) for f in _CASE_FLAGS),
        ).group_by(cf.c.panel, cf.c.case_type, cf.c.recommendation)
    ):
        totals = cases[row.panel]
        for k in ("n", *_CASE_FLAGS):
            totals[k] += int(getattr(row, k) or 0)
        for id_ in (
            f"panel.{row.panel}.cases.{row.case_type}",
            f"panel.{row.panel}.recommendation.{row.recommendation}",
        ):
            if id_ in values:  # a case without a recommendation yet counts in the total only
                values[id_] += row.n

    for panel in Panel.codes():
        m, c = meetings[panel], cases[panel]
        for suffix in ("booked", "held", "cancelled"):
            values[f"panel.{panel}.meetings.{suffix}"] = m[suffix]
        values[f"panel.{panel}.meetings.quorate"] = Ratio(m["quorate"], m["held"])
        values[f"panel.{panel}.cases"] = c["n"]
        values[f"panel.{panel}.cases_per_meeting"] = Ratio(c["n"], m["held"])
        values[f"panel.{panel}.papers_in_timescale"] = Ratio(c["papers_ok"], c["n"])
        values[f"panel.{panel}.adm_in_timescale"] = Ratio(c["adm_ok"], c["adm_due"])
        values[f"panel.{panel}.adm_not_agreed"] = c["not_agreed"]
    return values


# --- drill-down -------------------------------------------------------------------------------


def _meeting_rows(query) -> list[dict]:
    rows = []
    for ref, panel, day, status, held, quorate in db.session.execute(query):
        status_label = MeetingStatus.label_of(status)
        if held:
            status_label += ", quorate" if quorate else ", not quorate"
        rows.append(
            {
                "ref": ref,
                "label": f"{Panel.label_of(panel)} meeting of {format_date(day)}: {status_label}",
                "url": record_url("panel_meeting", ref),
                "meeting_date": day,
                "status": str(status),
                "quorate": bool(quorate),
            }
        )
    return rows


def _case_rows(query) -> list[dict]:
    rows = []
    for row in db.session.execute(query):
        parts = [
            f"{CaseType.label_of(row.case_type)}" + (f" ({row.subject_ref})" if row.subject_ref else ""),
            f"heard at {row.meeting_id} on {format_date(row.day)}",
            f"recommendation: {Recommendation.label_of(row.recommendation, 'not recorded')}",
            f"papers sent {format_date(row.papers_sent_date)}" if row.papers_sent_date else "papers not sent",
        ]
        if row.minutes_final_date:
            parts.append(f"minutes final {format_date(row.minutes_final_date)}")
        if row.adm_decision:
            parts.append(f"ADM: {AdmDecision.label_of(row.adm_decision)} on {format_date(row.adm_decision_date)}")
        rows.append(
            {
                "ref": row.ref,
                "label": "; ".join(parts),
                "url": record_url("panel_case", row.ref),
                "meeting_id": row.meeting_id,
                "meeting_date": row.day,
                "case_type": str(row.case_type),
                "carer_type": None if row.carer_type is None else str(row.carer_type),
                "recommendation": None if row.recommendation is None else str(row.recommendation),
                "adm_decision": None if row.adm_decision is None else str(row.adm_decision),
            }
        )
    return rows


def drill_panels(indicator_id: str, period: Period, part: str = "numerator") -> list[dict]:
    """The meetings or cases behind a figure (a count's are its numerator)."""
    _, panel, name = indicator_id.split(".", 2)
    meeting_figure = name.startswith("meetings.") or (name == "cases_per_meeting" and part == "denominator")
    if meeting_figure:
        mf = queries.panel_meetings_in(period)
        query = (
            select(mf.c.ref, mf.c.panel, mf.c.day, mf.c.status, mf.c.held, mf.c.quorate)
            .where(mf.c.panel == panel)
            .order_by(mf.c.day, mf.c.ref)
        )
        if name == "meetings.quorate":
            query = query.where(mf.c.quorate == 1 if part == "numerator" else mf.c.held == 1)
        elif name == "cases_per_meeting":
            query = query.where(mf.c.held == 1)
        elif _MEETING_COUNTS.get(name):
            query = query.where(mf.c[_MEETING_COUNTS[name]] == 1)
        return _meeting_rows(query)
    cf = queries.heard_cases(period)
    query = select(cf).where(cf.c.panel == panel).order_by(cf.c.day, cf.c.meeting_id, cf.c.ref)
    if name.startswith("cases."):
        query = query.where(cf.c.case_type == name.removeprefix("cases."))
    elif name.startswith("recommendation."):
        query = query.where(cf.c.recommendation == name.removeprefix("recommendation."))
    elif name in _CASE_RATIOS:
        flag = _CASE_RATIOS[name][0 if part == "numerator" else 1]
        if flag is not None:
            query = query.where(cf.c[flag] == 1)
    elif name == "adm_not_agreed":
        query = query.where(cf.c.not_agreed == 1)
    return _case_rows(query)


register_group(PANEL_INDICATORS, compute_panels, drill_panels)

# --- carer_reviews.* indicators -----------------------------------------------------------------
# kpis.md §5: reviews held in P (dated on or before A), those within the ``carer_review`` rule of
# the approval or the previous review, and the households fostering on A whose next review was due
# before A (the ``carer_review`` due items' own query, ``queries.carer_review_due``). Two queries;
# the drill-down reads the same frames.

CARER_SECTION = "Panels and foster carer reviews"
CARER_FAMILY = "panels"

CARER_INDICATORS = [
    Indicator("carer_reviews.held", COUNT, "Foster carer reviews held", CARER_SECTION, CARER_FAMILY),
    Indicator(
        "carer_reviews.in_timescale",
        PERCENT,
        "Foster carer reviews held within {carer_review} of the approval or the previous review",
        CARER_SECTION,
        CARER_FAMILY,
        good_is="High",
    ),
    Indicator(
        "carer_reviews.overdue",
        COUNT,
        "Foster households whose review is overdue",
        CARER_SECTION,
        CARER_FAMILY,
        good_is="Low",
    ),
]


def carer_reviews_frame(p: Period):
    """The reviews dated in P (and on or before A), each with its anchor (the household's previous
    review, else its approval), its due date and whether it was held in time (0/1)."""
    previous = aliased(CarerReview)
    anchor = func.coalesce(
        select(func.max(previous.review_date))
        .where(previous.household_id == CarerReview.household_id, previous.review_date < CarerReview.review_date)
        .scalar_subquery(),
        FosterHousehold.approval_date,
    )
    reviews = (
        select(
            CarerReview.review_id,
            CarerReview.household_id,
            CarerReview.review_date,
            anchor.label("anchor"),
        )
        .join(FosterHousehold, FosterHousehold.household_id == CarerReview.household_id)
        .where(CarerReview.review_date.between(p.start, min(p.end, p.as_of)))
        .subquery("held")
    )
    due = timescales.deadline_sql("carer_review", reviews.c.anchor)
    return select(
        reviews,
        due.label("due_date"),
        case((reviews.c.review_date <= due, 1), else_=0).label("in_time"),
    ).subquery("carer_reviews")


def _overdue(p: Period):
    due = queries.carer_review_due(p.as_of).subquery("due")
    return select(due.c.ref, due.c.due_date).where(due.c.due_date < p.as_of)


def compute_carer_reviews(p: Period) -> dict:
    frame = carer_reviews_frame(p)
    held, in_time = db.session.execute(select(func.count(), func.coalesce(func.sum(frame.c.in_time), 0))).one()
    overdue = db.session.scalar(select(func.count()).select_from(_overdue(p).subquery()))
    return {
        "carer_reviews.held": held,
        "carer_reviews.in_timescale": Ratio(int(in_time or 0), held),
        "carer_reviews.overdue": overdue or 0,
    }


def drill_carer_reviews(indicator_id: str, p: Period, part: str = "numerator") -> list[dict]:
    """The reviews (held, in timescale) or the households (overdue) behind a figure."""
    if indicator_id == "carer_reviews.overdue":
        rows = db.session.execute(_overdue(p).order_by("due_date", "ref")).all()
        return [
            {
                "ref": ref,
                "label": f"Foster household {ref}: review due {format_date(due)}",
                "url": record_url("foster_household", ref),
            }
            for ref, due in rows
        ]
    if indicator_id not in ("carer_reviews.held", "carer_reviews.in_timescale"):
        raise KeyError(indicator_id)
    frame = carer_reviews_frame(p)
    query = select(frame.c.review_id, frame.c.household_id, frame.c.review_date, frame.c.due_date)
    if indicator_id == "carer_reviews.in_timescale" and part == "numerator":
        query = query.where(frame.c.in_time == 1)
    rows = db.session.execute(query.order_by(frame.c.review_date, frame.c.review_id)).all()
    return [
        {
            "ref": r.review_id,
            "label": f"Review {r.review_id} of foster household {r.household_id}, {format_date(r.review_date)} "
            f"(due {format_date(r.due_date)})",
            "url": record_url("foster_household", r.household_id),
        }
        for r in rows
    ]


register_group(CARER_INDICATORS, compute_carer_reviews, drill_carer_reviews)
