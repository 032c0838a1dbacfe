"""The read side of panels (domain.md §7): lists, the ADM queue, returns to panel, the due-item
queries and the indicators' rows. Set-based: one query per list, no Python loop over a table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, select

from tracker.core.kpis import Period
from tracker.core.timescales import deadline_sql
from tracker.panels.models import AdmDecision, MeetingStatus, PanelCase, PanelMeeting, Recommendation, quorate_sql

# --- due items and indicators --------------------------------------------------------------
# The indicator frames (kpis.md §5): one row per meeting or per case heard, each condition a 0/1
# column, so a figure is a SUM and its drill-down the rows where the column is 1. Only what is
# dated on or before the as-of date counts (kpis.md: a later date has not happened yet).


def _flag(condition) -> Any:
    return case((condition, 1), else_=0)


def panel_meetings_in(period: Period):
    """Meetings dated in the period (and on or before as-of), any status: ref, panel, day,
    status, and the flags ``held``, ``cancelled`` and ``quorate`` (a held meeting that was,
    ``models.quorate_sql``)."""
    held = PanelMeeting.status == MeetingStatus.held.value
    return (
        select(
            PanelMeeting.meeting_id.label("ref"),
            PanelMeeting.panel.label("panel"),
            PanelMeeting.meeting_date.label("day"),
            PanelMeeting.status.label("status"),
            _flag(held).label("held"),
            _flag(PanelMeeting.status == MeetingStatus.cancelled.value).label("cancelled"),
            _flag(and_(held, quorate_sql())).label("quorate"),
        )
        .where(PanelMeeting.meeting_date >= period.start, PanelMeeting.meeting_date <= min(period.end, period.as_of))
        .subquery("panel_meetings_in")
    )


def heard_cases(period: Period):
    """Cases heard in the period: on the agenda of a held meeting dated in the period and on or
    before as-of ("cases count at the date of the meeting they were heard at", kpis.md §5).

    Columns: ref, panel (the meeting's), meeting_id, day (the meeting's date), case_type,
    subject_ref, carer_type, recommendation, papers_sent_date, minutes_final_date, adm_decision,
    adm_decision_date, and the flags
    ``papers_ok`` (papers sent on or before meeting − 5 wd, rule ``panel_papers``; no date: not in time),
    ``adm_due`` (final minutes by as-of and a recommendation other than not applicable),
    ``adm_ok`` (of those, decided by minutes + 7 wd, rule ``adm_decision``, and by as-of) and
    ``not_agreed`` (the ADM did not agree, by as-of)."""
    as_of = period.as_of
    decided = and_(PanelCase.adm_decision_date.is_not(None), PanelCase.adm_decision_date <= as_of)
    adm_due = and_(
        PanelCase.minutes_final_date.is_not(None),
        PanelCase.minutes_final_date <= as_of,
        PanelCase.recommendation.is_not(None),
        PanelCase.recommendation != Recommendation.not_applicable.value,
    )
    return (
        select(
            PanelCase.case_id.label("ref"),
            PanelMeeting.panel.label("panel"),
            PanelMeeting.meeting_id.label("meeting_id"),
            PanelMeeting.meeting_date.label("day"),
            PanelCase.case_type.label("case_type"),
            PanelCase.subject_ref.label("subject_ref"),
            PanelCase.carer_type.label("carer_type"),
            PanelCase.recommendation.label("recommendation"),
            PanelCase.papers_sent_date.label("papers_sent_date"),
            PanelCase.minutes_final_date.label("minutes_final_date"),
            PanelCase.adm_decision.label("adm_decision"),
            PanelCase.adm_decision_date.label("adm_decision_date"),
            _flag(
                and_(
                    PanelCase.papers_sent_date.is_not(None),
                    PanelCase.papers_sent_date <= deadline_sql("panel_papers", PanelMeeting.meeting_date),
                )
            ).label("papers_ok"),
            _flag(adm_due).label("adm_due"),
            _flag(
                and_(
                    adm_due,
                    decided,
                    PanelCase.adm_decision_date <= deadline_sql("adm_decision", PanelCase.minutes_final_date),
                )
            ).label("adm_ok"),
            _flag(and_(decided, PanelCase.adm_decision == AdmDecision.not_agreed.value)).label("not_agreed"),
        )
        .join(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelMeeting.status == MeetingStatus.held.value,
            PanelMeeting.meeting_date >= period.start,
            PanelMeeting.meeting_date <= min(period.end, period.as_of),
        )
        .subquery("heard_cases")
    )


# --- meetings, agendas, the ADM queue, the to-return list ----------------------------------
# (helper B)


# --- foster households, returns to panel, temporary approvals --------------------------------
# (helper C)
