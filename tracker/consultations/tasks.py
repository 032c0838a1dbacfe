"""The ``consultations`` job (every 15 minutes): emails each respondent asked by email their
personal link once, and one reminder ``CONSULTATION_REMINDER_WORKING_DAYS`` working days before
the review to those who have not answered. Each send commits on its own (like ``deliver``): a
send is never repeated by a later run, a failure is kept with its error and tried again by the
next run, and one failing address never stops the others (``tracker.jobs.runner.send_one``).

The emails name no child and carry no case detail: the review's date, the link, when it closes
and whom to contact (``templates/jobs/email/consultation_*``)."""

from __future__ import annotations

import logging

from flask import current_app, render_template, url_for
from sqlalchemy import select

from tracker.consultations import operations
from tracker.consultations.models import ConsultationRound, ContactMethod, Respondent
from tracker.core import calendar
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.jobs import mail
from tracker.jobs.runner import JobContext, absolute, register_job, send_one

log = logging.getLogger("tracker.jobs")


def reminder_day(review_date):
    """The day the reminder goes: N working days before the review (N from the settings)."""
    return calendar.add_working_days(review_date, -int(current_app.config["CONSULTATION_REMINDER_WORKING_DAYS"]))


def _waiting(as_of):
    """Respondents asked by email, not answered, whose round is open on ``as_of``."""
    return (
        select(Respondent)
        .join(ConsultationRound, ConsultationRound.id == Respondent.round_pk)
        .where(
            Respondent.contact_method == ContactMethod.email,
            Respondent.submitted_at.is_(None),
            ConsultationRound.review_date >= as_of,  # nothing is sent for a review that has been held
        )
        .order_by(ConsultationRound.review_date, Respondent.id)
    )


@register_job("consultations", "Consultation invitations and reminders", "Every 15 minutes")
def consultations(context: JobContext) -> None:
    as_of = context.as_of
    invited = reminded = 0
    for respondent_id in db.session.scalars(_waiting(as_of).with_only_columns(Respondent.id)).all():
        respondent = db.session.get(Respondent, respondent_id)
        if respondent.invited_at is None:
            invited += _send(context, respondent, "invitation")
        elif respondent.reminded_at is None and as_of >= reminder_day(respondent.round.review_date):
            reminded += _send(context, respondent, "reminder")
    context.note(f"Sent {invited} consultation invitations and {reminded} reminders.")


def _send(context: JobContext, respondent: Respondent, purpose: str) -> int:
    """Send one invitation or reminder with a new personal link (``send_one`` commits); 1 when it
    went. The link of a send that failed is not kept."""
    round_ = respondent.round
    respondent_id = respondent.id
    token = operations.issue_link(respondent, purpose)
    values = {
        "subject": "Share your views before a review" if purpose == "invitation" else "Reminder: share your views",
        "purpose": purpose,
        "review_date": format_date(round_.review_date),
        "closes_on": format_date(operations.closes_on(round_.review_date)),
        "url": absolute(url_for("consult.start", token=token)),
        "contact": current_app.config["CONSULTATION_CONTACT"],
    }
    email = mail.Email(
        to=respondent.email,
        subject=values["subject"],
        text=render_template("jobs/email/consultation.txt", **values),
        html=render_template("jobs/email/consultation.html", **values),
    )

    def sent() -> None:
        operations.mark_sent(respondent, purpose)

    def failed(error: str) -> None:
        operations.mark_failed(db.session.get(Respondent, respondent_id), error)
        # the error (which may quote the address) is for the round's page, not the log
        log.warning("A consultation %s was not sent (respondent %s): see the round's page", purpose, respondent_id)

    return int(send_one(context, email, sent=sent, failed=failed))
