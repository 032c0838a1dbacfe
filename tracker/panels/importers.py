"""The four panel files of interchange.md §1: panel_meetings.csv, panel_cases.csv,
foster_households.csv and carer_reviews.csv.

Each row is checked by the operations' own rules (``operations.check_meeting``,
``check_members_present``, ``check_case``, ``check_decision``, ``check_household``,
``check_carer_review``): dates parse, codes are known, a meeting held, papers sent, minutes
finalised, an ADM decision, an approval, an end and a carer review are not after today (a booked
meeting may lie ahead); an ADM decision comes with its date and a date with its decision; an end
is not before the approval. References exist in the file set or the database (a case's meeting
and LADO referral, a review's household).

The rules across records run on the database once the files are written, in ``after_all`` (a
case and its meeting may come in different loads): a case type that is not one of its meeting's
panel's (``Panel.case_types``), and a recommendation, final minutes or an ADM decision on a case
whose meeting is not held or dated before it (``operations.cases_not_fitting_their_meeting``);
a carer review dated before its household's approval (``operations.reviews_before_approval``).
Each is reported at the line of the row this import brought.

What the file does not carry is kept: a case's panel is its meeting's; a meeting's cancellation
reason and members named on its page, a case's ADM reasons, a household's name, end reason (unless
the file removes the end), reviewing officer and reg 25 extension, and a review's reviewing
officer and outcome are not overwritten by a re-import. A household is ``ended`` when the file
gives an end date; otherwise it stays ``on_hold`` if it was, else it is ``approved``.
"""

from __future__ import annotations

from sqlalchemy import select, update

from tracker.core import interchange
from tracker.core.errors import DomainError
from tracker.core.interchange import Importer, RowReader
from tracker.extensions import db
from tracker.panels import operations
from tracker.panels.models import (
    CarerReview,
    FosterHousehold,
    HouseholdStatus,
    PanelCase,
    PanelMeeting,
)

MEETINGS = "panel_meetings.csv"
CASES = "panel_cases.csv"
HOUSEHOLDS = "foster_households.csv"
REVIEWS = "carer_reviews.csv"


def _upsert(model, key: str, records: list[dict], fields: list[str]) -> dict:
    """Update existing rows by id, add the others; return {id: object}."""
    ids = [r[key] for r in records]
    existing = {getattr(o, key): o for o in db.session.scalars(select(model).where(getattr(model, key).in_(ids)))}
    for rec in records:
        obj = existing.get(rec[key])
        if obj is None:
            obj = model(**{key: rec[key]})
            db.session.add(obj)
            existing[rec[key]] = obj
        for f in fields:
            setattr(obj, f, rec[f])
    return existing


class MeetingsImporter(Importer):
    filename = MEETINGS
    key = "meeting_id"
    reference = "panel_meeting"
    fields = [
        "panel",
        "meeting_date",
        "status",
        "members_present",
        "chair_present",
        "social_worker_present",
        "independent_present",
    ]

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "meeting_id": r.id("meeting_id", required=True),
            "panel": r.text("panel", required=True),
            "meeting_date": r.date("meeting_date", required=True, ahead=True),  # a booked meeting may lie ahead
            "status": r.text("status", required=True),
            "members_present": r.integer("members_present", minimum=0),
            "chair_present": r.boolean("chair_present"),
            "social_worker_present": r.boolean("social_worker_present"),
            "independent_present": r.boolean("independent_present"),
        }
        if r.ok:
            r.check(operations.check_meeting, record["panel"], record["meeting_date"], record["status"])
            r.check(operations.check_members_present, record["members_present"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        _upsert(PanelMeeting, "meeting_id", records, self.fields)

    def finish(self, ctx) -> None:
        # A case's panel is its meeting's: a meeting moved to the other panel takes its cases along
        # (whether their case types fit is checked in ``after_all``, once the cases file is in).
        panel = select(PanelMeeting.panel).where(PanelMeeting.meeting_id == PanelCase.meeting_id).scalar_subquery()
        db.session.execute(
            update(PanelCase)
            .where(PanelCase.meeting_id.is_not(None), PanelCase.panel != panel)
            .values(panel=panel, version=PanelCase.version + 1)
            .execution_options(synchronize_session=False)
        )


class CasesImporter(Importer):
    filename = CASES
    key = "case_id"
    reference = "panel_case"
    fields = [
        "meeting_id",
        "panel",
        "case_type",
        "subject_ref",
        "carer_type",
        "papers_sent_date",
        "recommendation",
        "minutes_final_date",
        "adm_decision",
        "adm_decision_date",
        "lado_referral_id",
    ]

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "case_id": r.id("case_id", required=True),
            "meeting_id": r.ref("meeting_id", "panel_meeting", required=True),
            "case_type": r.text("case_type", required=True),
            "subject_ref": r.id("subject_ref"),
            "carer_type": r.text("carer_type"),
            "papers_sent_date": r.date("papers_sent_date"),
            "recommendation": r.text("recommendation"),
            "minutes_final_date": r.date("minutes_final_date"),
            "adm_decision": r.text("adm_decision"),
            "adm_decision_date": r.date("adm_decision_date"),
            "lado_referral_id": r.ref("lado_referral_id", "lado_referral"),
        }
        if r.ok and r.check(
            operations.check_case,
            record["case_type"],
            record["carer_type"],
            record["papers_sent_date"],
            record["minutes_final_date"],
        ):
            r.check(
                operations.check_decision,
                record["recommendation"],
                record["adm_decision"],
                record["adm_decision_date"],
                record["minutes_final_date"],
            )
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        panels = dict(
            db.session.execute(
                select(PanelMeeting.meeting_id, PanelMeeting.panel).where(
                    PanelMeeting.meeting_id.in_({r["meeting_id"] for r in records})
                )
            ).all()
        )
        for rec in records:
            rec["panel"] = panels[rec["meeting_id"]]  # the meeting's (checked to exist)
        _upsert(PanelCase, "case_id", records, self.fields)

    def after_all(self, ctx) -> None:
        """Cases against their meetings, whenever either file is in this import."""
        if self.filename in ctx.lines or MEETINGS in ctx.lines:
            check_cases_against_meetings(ctx)


# the meeting's column a case's rule refers to, when the meeting's line is where it is reported
_MEETING_COLUMN = {
    "case_type": "panel",
    "recommendation": "status",
    "minutes_final_date": "status",
    "adm_decision": "status",
}


def check_cases_against_meetings(ctx) -> None:
    """Every case that breaks a rule against its meeting (``operations.check_case_at_meeting``),
    reported at the case's line when panel_cases.csv brought it, otherwise at its meeting's line
    in panel_meetings.csv (a meeting re-imported as cancelled, or moved to the other panel)."""
    for row in db.session.execute(operations.cases_not_fitting_their_meeting()).all():
        try:
            operations.check_case_at_meeting(row)
        except DomainError as refused:
            line = ctx.line_for(CASES, row.case_id)
            if line is not None or ctx.line_for(MEETINGS, row.meeting_id) is None:
                ctx.error(CASES, line, refused.field or "row", refused.message)
            else:
                ctx.error(
                    MEETINGS,
                    ctx.line_for(MEETINGS, row.meeting_id),
                    _MEETING_COLUMN.get(refused.field, "meeting_date"),
                    f"case {row.case_id!r}: {refused.message}",
                )


class HouseholdsImporter(Importer):
    filename = HOUSEHOLDS
    key = "household_id"
    reference = "foster_household"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "household_id": r.id("household_id", required=True),
            "carer_type": r.text("carer_type", required=True),
            "approval_date": r.date("approval_date", required=True),
            "end_date": r.date("end_date"),
        }
        if r.ok:
            r.check(operations.check_household, record["carer_type"], record["approval_date"], record["end_date"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        households = _upsert(FosterHousehold, "household_id", records, ["carer_type", "approval_date", "end_date"])
        for rec in records:
            household = households[rec["household_id"]]
            if rec["end_date"] is not None:
                household.status = HouseholdStatus.ended
            else:
                # on hold is the fostering team's decision, which the file does not carry; an end
                # the file removes takes its reason with it
                household.status = (
                    HouseholdStatus.on_hold if household.status == HouseholdStatus.on_hold else HouseholdStatus.approved
                )
                household.end_reason = None

    def after_all(self, ctx) -> None:
        if self.filename in ctx.lines or REVIEWS in ctx.lines:
            check_reviews_against_households(ctx)


def check_reviews_against_households(ctx) -> None:
    """Reviews dated before their household's approval (``operations.check_carer_review``'s
    rule), at the review's line when carer_reviews.csv brought it, else at the household's."""
    for review_id, household_id, review_date, approval_date in db.session.execute(
        operations.reviews_before_approval()
    ).all():
        try:
            operations.check_carer_review(review_date, approval_date)
        except DomainError as refused:
            line = ctx.line_for(REVIEWS, review_id)
            if line is not None or ctx.line_for(HOUSEHOLDS, household_id) is None:
                ctx.error(
                    REVIEWS,
                    line,
                    refused.field or "review_date",
                    f"{refused.message} ({household_id!r} was approved on {approval_date.isoformat()})",
                )
            else:
                ctx.error(
                    HOUSEHOLDS,
                    ctx.line_for(HOUSEHOLDS, household_id),
                    "approval_date",
                    f"{approval_date.isoformat()} is after the date of its review {review_id!r} "
                    f"({review_date.isoformat()})",
                )


class CarerReviewsImporter(Importer):
    filename = REVIEWS
    key = "review_id"
    reference = "carer_review"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "review_id": r.id("review_id", required=True),
            "household_id": r.ref("household_id", "foster_household", required=True),
            "review_date": r.date("review_date", required=True),
            "to_panel": r.boolean("to_panel"),
        }
        if r.ok:
            r.check(operations.check_carer_review, record["review_date"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        _upsert(CarerReview, "review_id", records, ["household_id", "review_date", "to_panel"])


interchange.register_ref_kind("panel_meeting", PanelMeeting.meeting_id, MEETINGS)
interchange.register_ref_kind("foster_household", FosterHousehold.household_id, HOUSEHOLDS)
for _importer in (MeetingsImporter(), CasesImporter(), HouseholdsImporter(), CarerReviewsImporter()):
    interchange.register_importer(_importer)
