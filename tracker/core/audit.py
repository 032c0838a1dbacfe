"""The append-only audit log and the one function that writes it.

Every operation calls ``record`` in the same transaction as its change (it adds the row to
the session; the request or command commits once). Reads of LADO records and exports are
recorded too. The table has no update or delete path in the application, and database
triggers (see the foundation migration) refuse UPDATE and DELETE outright.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now_utc
from tracker.db import UTCDateTime
from tracker.extensions import db

# The audit vocabulary: every action the tracker writes, as ``noun.verb`` (present tense), with
# what it means. ``record`` refuses an action that is not listed here, so the log reads the same
# way across features and a reader (or a filter) can rely on these names.
ACTIONS: dict[str, str] = {
    # accounts and sessions
    "session.sign_in": "A user signed in",
    "session.sign_out": "A user signed out (every session of theirs ended)",
    "session.fail": "A sign-in failed (wrong password, disabled or unknown account); the source address is kept",
    "session.lock": "Repeated sign-in failures locked an account from one address, an address, or an account to "
    "its known addresses (further failures are not logged)",
    "user.create": "A user account was created",
    "user.set_roles": "A user's roles were changed",
    "user.enable": "A user account was enabled",
    "user.disable": "A user account was disabled",
    "user.set_password": "A user's password was changed (every other session of theirs ended)",
    "user.change_password": "A user changed their own password (every other session of theirs ended)",
    "user.reset_password": "An administrator reset a user's password to a temporary one, to be changed at the next "
    "sign-in (every session of theirs ended; the password is never logged)",
    "user.unlock": "An administrator lifted the sign-in locks on a user's account (its failed sign-ins no longer count)",
    "user.update": "A user's name, email address, officer ID or team was changed",
    "user.link_demo": "An imported officer was given a demo sign-in",
    "user.set_notifications": "A user's notification settings were changed (the daily digest on or off; an "
    "administrator's: who is the board chair, alerted when an escalation reaches stage 4)",
    # engines: rules, calendar, import and export
    "timescale_rule.update": "A timescale rule's duration was changed",
    "closure_day.create": "A closure day was added to the working-day calendar",
    "closure_day.delete": "A closure day was removed from the working-day calendar",
    "calendar.rebuild": "The working-day calendar was recomputed",
    "data.import": "A folder of CSV files was imported (counts per file)",
    "demo.households": "The demo loader named the synthetic foster households and gave them reviewing officers",
    "demo.consultations": "The demo loader started consultations before the demo QARO's children's next reviews",
    "demo.lado_names": "The demo loader gave the synthetic LADO people and organisations made-up names",
    "ssda903.import": "An SSDA903 return was imported",
    "ssda903.export": "Reviews were exported in the SSDA903 layout",
    "ssda903.check": "The reviews' failures of the DfE's SSDA903 rules were listed",
    "indicators.export": "Indicators were exported",
    "due_items.export": "Due items were exported",
    "list.export": "A list page was downloaded as CSV or XLSX (which list, format, filters and row count)",
    "database.backup": "The whole database was backed up to a file (`backup`)",
    "database.restore": "The whole database was restored from a backup file into an empty database (`restore`)",
    # child-in-care reviews (domain.md §4)
    "child.create": "A child was added",
    "child.update": "A child's details were changed",
    "child.allocate": "A child was allocated to a QARO",
    "child.plan_review": "The date of a child's next review was planned (or the plan was withdrawn)",
    "care_period.create": "A care period was added",
    "care_period.update": "A care period was changed",
    "care_period.remove": "A care period recorded by mistake was removed (kept for the IRO manager, with the reason)",
    "review.create": "A CiC review was recorded",
    "review.update": "A CiC review was changed",
    "review.remove": "A CiC review recorded by mistake was removed (kept for the IRO manager, with the reason)",
    "iro_contact.create": "An IRO contact with a child was recorded",
    "iro_contact.update": "An IRO contact with a child was corrected (its date, type or QARO)",
    "iro_contact.remove": "An IRO contact recorded by mistake was removed (kept for the IRO manager, with the reason)",
    # pre-review consultations (issue 17)
    "consultation.create": "A pre-review consultation round was started for a child's review",
    "consultation.update": "A consultation round's review date was changed",
    "consultation.add_respondent": "A respondent was added to a consultation round (name and contact kept)",
    "consultation.remove_respondent": "A respondent who had not answered was taken off a consultation round",
    "consultation.invite": "A consultation invitation (or reminder) with a personal link was sent",
    "consultation.save": "A respondent saved answers to a consultation form (not yet sent)",
    "consultation.submit": "A respondent sent their consultation answers (or staff entered them from paper)",
    "consultation.read": "A consultation round's respondents and answers were read",
    "consultation.refused": "A consultation link that is wrong, used or expired was tried (the source address kept)",
    # escalations (domain.md §5)
    "escalation.raise": "An escalation was raised",
    "escalation.respond": "The response to an escalation stage was recorded",
    "escalation.escalate": "An escalation moved to a later stage",
    "escalation.refer_to_cafcass": "An escalation was referred to Cafcass",
    "escalation.close": "An escalation was closed",
    "escalation.update": "An escalation's details were corrected (areas of concern, external partner, summary, "
    "raising officer)",
    "escalation.update_stage": "An escalation stage was corrected (its start date, who it was raised with, its "
    "response); its response deadline follows the start date",
    # LADO (domain.md §6): rows about LADO records are for LADO roles only
    "lado_record.read": "LADO records were shown to a user",
    "lado_person.create": "A person was added to the LADO index",
    "lado_person.update": "A person in the LADO index was changed",
    "lado_person.merge": "A LADO manager merged a duplicate person into the person kept (their contacts moved)",
    "lado_organisation.create": "An organisation was added to the LADO index",
    "lado_organisation.update": "An organisation in the LADO index was changed",
    "lado_contact.create": "A LADO contact was logged",
    "lado_contact.update": "A LADO contact was changed",
    "lado_referral.create": "A LADO contact progressed to a referral",
    "lado_referral.update": "A LADO referral's details were changed",
    "lado_referral.allocate": "A LADO referral was allocated to a LADO officer (or taken back to the managers' queue)",
    "lado_referral.record_outcome": "The outcome of a LADO referral was recorded",
    "lado_referral.record_dbs": "A LADO referral's DBS referral was recorded",
    "lado_referral.close": "A LADO referral was closed",
    "lado_referral.reopen": "A closed LADO referral was re-opened",
    "lado_meeting.create": "A LADO meeting was recorded or scheduled",
    "lado_meeting.update": "A LADO meeting was changed",
    "lado_meeting.remove": "A LADO meeting recorded by mistake was removed (kept for the LADO manager, with the reason)",
    "lado_action.create": "An action was added to a LADO referral",
    "lado_action.update": "A LADO action was corrected (who does it, the due date, the LADO who chases it)",
    "lado_action.complete": "A LADO action was completed",
    "lado_action.review": "A LADO action's quarterly review notes were added",
    "lado_action.remove": "A LADO action recorded by mistake was removed (kept for the LADO manager, with the reason)",
    # panels: meetings and cases (domain.md §7)
    "panel_meeting.create": "A panel meeting was booked",
    "panel_meeting.book": "A panel's calendar of meetings was booked at once (the dates skipped are kept)",
    "panel_meeting.update": "A booked panel meeting was moved to another date",
    "panel_meeting.cancel": "A panel meeting was cancelled (its cases without a recommendation went back to awaiting "
    "a date)",
    "panel_meeting.attendance": "The members present at a panel meeting were recorded (quoracy follows)",
    "panel_case.create": "A case was added for a panel (on a meeting's agenda or awaiting a date)",
    "panel_case.update": "A panel case's details were corrected, or it moved to another meeting or back to awaiting "
    "a date",
    "panel_case.outcome": "A panel's recommendation on a case and the date its minutes were finalised were recorded",
    "panel_case.decision": "The Agency Decision Maker's decision on a panel's recommendation was recorded",
    # the board's scorecard (domain.md §8)
    "board.freeze": "A month's scorecard figures were frozen as at its last day",
    "board.refreeze": "A frozen month was re-opened and frozen again from the records as they are now, with a reason",
    "scorecard_section.create": "A section was added to the board scorecard",
    "scorecard_section.update": "A board scorecard section was renamed or moved",
    "scorecard_section.delete": "A section (and its rows) was taken off the board scorecard",
    "scorecard_row.create": "An indicator was added to the board scorecard",
    "scorecard_row.update": "A board scorecard row's settings were changed (label, unit, good is, averages, target, "
    "tolerance, section or order)",
    "scorecard_row.delete": "An indicator was taken off the board scorecard",
    "scorecard_commentary.save": "A manager wrote or changed the commentary on a section of a month's scorecard",
    # foster households and carer reviews (domain.md §7)
    "foster_household.create": "A foster household was added (approved, or temporarily approved under regulation 24)",
    "foster_household.update": "A foster household's details were corrected (name, type of carer, approval date, "
    "reviewing officer)",
    "foster_household.put_on_hold": "A foster household was put on hold",
    "foster_household.return_to_approved": "A foster household on hold was approved again",
    "foster_household.end": "A foster household's approval ended (the date and the reason)",
    "foster_household.extend_temporary_approval": "A temporary approval was extended by 8 weeks (regulation 25)",
    "foster_household.approve": "A temporary approval became a full approval (connected person or mainstream)",
    "carer_review.create": "A foster carer's review was recorded",
    "carer_review.update": "A foster carer's review was corrected",
    "carer_review.remove": "A foster carer's review recorded by mistake was removed (the audit row keeps it, with the "
    "reason)",
}

# Actions written by earlier versions and no longer (``record`` refuses them): their rows stay in
# the log and are read with these words.
RETIRED_ACTIONS: dict[str, str] = {
    "review.delete": "A CiC review was deleted (before reviews were removed and kept, with the reason)",
}


def action_label(action: str) -> str:
    """What an action of the log means (a retired one's too; the code itself if unknown)."""
    return ACTIONS.get(action) or RETIRED_ACTIONS.get(action) or action


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # email or "system"/"cli:…"; kept if the user changes
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


def jsonable(value: Any) -> Any:
    """Turn dates, enums and decimals into JSON values (for before/after snapshots)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of an object, ready to be a before/after value."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an audit row shows what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _actor(user) -> tuple[int | None, str]:
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    if user is not None and getattr(user, "id", None) is not None:
        return user.id, user.email
    return None, "system"


def actor_name(user=None) -> str:
    """Who is acting, as the audit log names them: the signed-in user's email, or "system"."""
    return _actor(user)[1]


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    user=None,
    actor: str | None = None,
) -> AuditEntry:
    """Write one audit row in the current transaction. Never commits.

    ``action`` is one of ``ACTIONS``. ``summary`` must not carry personal data beyond record
    ids: the log is read by admins.
    """
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not in the audit vocabulary (tracker.core.audit.ACTIONS)")
    user_id, actor_name = _actor(user)
    entry = AuditEntry(
        at=now_utc(),
        user_id=user_id,
        actor=actor or actor_name,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        before=jsonable(before),
        after=jsonable(after),
    )
    db.session.add(entry)
    return entry
