"""The scheduled jobs (issue 15), each a thin sweep over the engines that already exist: the
worklist registry (``digest``, ``lado-quarterly-review``), the board's operations (``snapshot``),
the escalations' stages (``escalation-alert``) and the LADO retention query (``retention``).
Their emails name record references, kinds, dates and links only (``templates/jobs/email/``)."""

from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import func, or_, select

from tracker.auth.models import User, UserRole
from tracker.core import calendar, permissions, worklist
from tracker.core.timescales import DueState
from tracker.extensions import db
from tracker.formatters import format_date, format_date_short
from tracker.jobs.models import NotificationKind
from tracker.jobs.runner import JobContext, absolute, deliver, register_job
from tracker.web.records import record_url

NOTICE_STATES = (DueState.overdue, DueState.due_soon)


def recipients(*roles: str, board_chair: bool = False, digest: bool = False) -> list[User]:
    """Enabled users with an email address holding one of ``roles`` (or the board chair), by id;
    ``digest``: only those who receive the digest."""
    holds = select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role.in_(roles)).exists()
    query = select(User).where(User.active.is_(True), User.email.is_not(None), User.email != "")
    query = query.where(or_(holds, User.board_chair.is_(True)) if board_chair else holds)
    if digest:
        query = query.where(User.receives_digest.is_(True))
    return list(db.session.scalars(query.order_by(User.id)))


def _roles_with(capability: str) -> list[str]:
    return sorted(role.value for role in permissions.CAPABILITIES[capability])


def _links(items: list[worklist.DueItem]) -> list[dict]:
    """What an email lists of each item: kind, reference, due date, state and link — never the
    item's label, which may name a child or a subject."""
    return [
        {
            "kind": item.kind_label,
            "ref": item.ref,
            "due": format_date(item.due_date),
            "state": item.state.label,
            "url": absolute(item.url or url_for("worklist.mine")),
        }
        for item in items
    ]


@register_job("digest", "Daily digest", "Working days at 07:00")
def digest(context: JobContext) -> None:
    """One email per person with their overdue and due-soon items, and one per manager with their
    service's counts by kind and officer. Not on a weekend, bank holiday or closure day."""
    from tracker.home.views import team_counts

    as_of = context.as_of
    if not calendar.is_working_day(as_of):
        context.note(f"{format_date(as_of)} is not a working day: no digest.")
        return
    people = recipients(*_roles_with("worklist.own"), *_roles_with("worklist.all"), digest=True)
    names = worklist.officer_names()
    owners = [user for user in people if permissions.can(user, "worklist.own")]
    own_lists = worklist.items_for_each(owners, as_of, states=[s.value for s in NOTICE_STATES])
    for user in people:
        items = own_lists.get(user.id, [])
        if items:
            overdue = sum(1 for i in items if i.state is DueState.overdue)
            deliver(
                context,
                user,
                NotificationKind.digest,
                as_of.isoformat(),
                subject=f"Your tracker items: {overdue} overdue, {len(items) - overdue} due soon "
                f"({format_date_short(as_of)})",
                template="digest",
                as_of=as_of,
                items=_links(items),
                overdue=overdue,
                due_soon=len(items) - overdue,
                worklist_url=absolute(url_for("worklist.mine")),
            )
        if permissions.can(user, "worklist.all"):
            counts = team_counts(user, as_of, names)
            if counts:
                rows = [
                    {
                        "officer": names.get(c.owner, c.owner) if c.owner else "Not allocated",
                        "kind": c.kind_label,
                        "overdue": c.overdue,
                        "due_soon": c.due_soon,
                        "url": absolute(c.url(DueState.overdue.value if c.overdue else DueState.due_soon.value)),
                    }
                    for c in counts
                ]
                deliver(
                    context,
                    user,
                    NotificationKind.team_digest,
                    as_of.isoformat(),
                    subject=f"Your service's tracker items: {sum(c.overdue for c in counts)} overdue, "
                    f"{sum(c.due_soon for c in counts)} due soon ({format_date_short(as_of)})",
                    template="team_digest",
                    as_of=as_of,
                    rows=rows,
                    overdue=sum(c.overdue for c in counts),
                    due_soon=sum(c.due_soon for c in counts),
                    worklist_url=absolute(url_for("worklist.index")),
                )
    context.note(f"Digest for {format_date(as_of)} to {len(people)} people who receive it.")


@register_job("snapshot", "Freeze the board's scorecard", "Daily at 06:30")
def snapshot(context: JobContext) -> None:
    """On or after the freeze day (the 4th of the following month, or the next working day after
    it: 003:L277) freeze the previous month if it is not frozen yet — the month before that too,
    if a scheduler that was down missed it. A frozen month is never frozen again here."""
    from tracker.board import operations

    frozen = operations.freeze_due(context.as_of, months_back=2)
    if frozen:
        context.note("Froze " + ", ".join(f"{f.month:%B %Y}" for f in frozen) + ".")
    else:
        context.note("Nothing to freeze.")


@register_job("escalation-alert", "Stage 4 escalation alerts", "Every 15 minutes")
def escalation_alert(context: JobContext) -> None:
    """An escalation that reached stage 4 (from ``ESCALATION_ALERT_DAYS`` ago to the as-of date)
    is told once to each IRO manager and to the board chair (002:L272): an email with the
    escalation's reference, stage and date — no case detail — and a notice on their home page."""
    from flask import current_app

    from tracker.escalations.models import Escalation, EscalationStage, Stage

    as_of = context.as_of
    since = as_of - dt.timedelta(days=int(current_app.config.get("ESCALATION_ALERT_DAYS") or 28))
    reached = db.session.execute(
        select(Escalation.escalation_id, EscalationStage.started_date)
        .join(EscalationStage, EscalationStage.escalation_pk == Escalation.id)
        .where(
            EscalationStage.stage == Stage.stage4,
            EscalationStage.started_date <= as_of,
            EscalationStage.started_date >= since,
        )
        .order_by(EscalationStage.started_date, Escalation.escalation_id)
    ).all()
    if not reached:
        context.note("No escalation reached stage 4.")
        return
    people = recipients("iro_manager", board_chair=True)
    for ref, started in reached:
        summary = f"Escalation {ref} reached stage 4 on {format_date(started)}."
        for user in people:
            path = record_url("escalation", ref) if permissions.can(user, "escalations.view") else None
            deliver(
                context,
                user,
                NotificationKind.escalation_stage4,
                ref,
                subject=f"Escalation {ref} reached stage 4",
                template="escalation_stage4",
                summary=summary,
                link=path,
                ref=ref,
                started=started,
                can_open=path is not None,
                url=absolute(path or url_for("home.index")),
            )
    context.note(f"{len(reached)} escalations at stage 4 since {format_date(since)}, {len(people)} recipients.")


@register_job("lado-quarterly-review", "LADO actions' quarterly reviews", "Mondays at 06:45")
def lado_quarterly_review(context: JobContext) -> None:
    """LADO actions whose quarterly review (003:L1585) is overdue or due soon: each LADO who
    chases them gets one email a week listing them. They are on the LADO's worklist and digest
    every day (the due-item kind ``lado_action_review``)."""
    as_of = context.as_of
    year, week, _ = as_of.isocalendar()
    people = recipients("lado", "lado_manager")
    told = 0
    for user in people:
        items = [i for i in worklist.items_for(user, as_of, kind="lado_action_review") if i.state in NOTICE_STATES]
        if not items:
            continue
        told += 1
        deliver(
            context,
            user,
            NotificationKind.lado_action_review,
            f"{year}-W{week:02d}",
            subject=f"{len(items)} LADO actions are due their quarterly review",
            template="lado_action_review",
            as_of=as_of,
            items=_links(items),
            worklist_url=absolute(url_for("worklist.mine", kind="lado_action_review")),
        )
    context.note(f"Reminded {told} LADO officers of their actions' quarterly reviews.")


@register_job("retention", "LADO records past their retention date", "The 1st of each month at 07:30")
def retention(context: JobContext) -> None:
    """How many LADO records are past their retention date (domain.md §6), told once a month to
    each LADO manager — the only role that may see them (not the administrator: LADO data is for
    LADO roles only). Nothing is deleted: a person decides, from the retention page."""
    from tracker.lado import queries

    as_of = context.as_of
    past = queries.past_retention(as_of).subquery()
    count = db.session.scalar(select(func.count()).select_from(past)) or 0
    if not count:
        context.note("Nothing to tell the LADO managers.")
        return
    people = recipients(*_roles_with("lado.oversight"))
    for user in people:
        deliver(
            context,
            user,
            NotificationKind.retention,
            f"{as_of:%Y-%m}",
            subject=f"{count} LADO records are past their retention date",
            template="retention",
            count=count,
            as_of=as_of,
            url=absolute(url_for("lado.retention")),
        )
    # the run's words are read by the administrator: no LADO figure in them (LADO data is for LADO roles)
    context.note(f"Told {len(people)} LADO managers of the records past their retention date.")
