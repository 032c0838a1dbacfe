"""Every change to a consultation: rounds, respondents, personal links, answers. Each checks its
rules, changes rows, writes one audit row and flushes (the request lifecycle or the job commits).

Personal links: a token of 256 random bits (``secrets.token_urlsafe(32)``) goes in the email; the
database keeps its SHA-256 only, so a copy of the database opens no form. A link opens its
respondent's form until the respondent sends it or the round closes (``CLOSES_AFTER_DAYS`` after
the review date), whichever comes first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import exists, select

from tracker.consultations.models import (
    QUESTION_KEYS,
    Answer,
    ConsultationRound,
    ContactMethod,
    Link,
    Respondent,
    RespondentType,
)
from tracker.core import audit, checks, references
from tracker.core.clock import now_utc, today
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.reviews.models import Child

references.register("consultation_round", "CON", 5, ConsultationRound.round_id)

CLOSES_AFTER_DAYS = 7  # a form stays open until the review date + 7 days (issue 17)
MAX_ANSWER = 5000  # characters in one answer
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


# --- rules ----------------------------------------------------------------------------------------


def closes_on(review_date: dt.date) -> dt.date:
    """The last day a personal link for a review on ``review_date`` opens its form."""
    return review_date + dt.timedelta(days=CLOSES_AFTER_DAYS)


def is_open(round_: ConsultationRound, day: dt.date | None = None) -> bool:
    return (day or today()) <= closes_on(round_.review_date)


def check_review_date(review_date: dt.date | None) -> None:
    checks.required(review_date, "review_date", "Enter the date of the review")
    checks.date_in_range(review_date, "review_date", "The review date", ahead=True)
    checks.not_before(review_date, today(), "review_date", "The review date must be today or in the future")


def check_respondent(respondent_type: str | None, name: str | None, contact_method: str | None, email: str | None):
    checks.code(respondent_type, RespondentType, "respondent_type", "Select who you are asking")
    checks.required((name or "").strip(), "name", "Enter the respondent's name")
    if len(name or "") > 200:
        raise DomainError("The name must be 200 characters or fewer", "name")
    checks.code(contact_method, ContactMethod, "contact_method", "Select how they will get the form")
    if contact_method == ContactMethod.email:
        checks.required((email or "").strip(), "email", "Enter their email address")
        if len(email) > 254 or not EMAIL.match(email.strip()):
            raise DomainError("Enter an email address in the correct format, like name@example.com", "email")


def _check_unanswered(respondent: Respondent) -> None:
    if respondent.submitted_at is not None:
        raise DomainError(
            f"These answers were sent on {format_date(respondent.submitted_at.date())}: they can no longer be changed"
        )


# --- rounds ---------------------------------------------------------------------------------------


def create_round(child: Child, review_date: dt.date | None, *, user=None) -> ConsultationRound:
    check_review_date(review_date)
    taken = exists().where(ConsultationRound.child_pk == child.id, ConsultationRound.review_date == review_date)
    if db.session.scalar(select(taken)):
        raise DomainError(
            f"There is already a consultation for the review on {format_date(review_date)}", "review_date"
        )
    round_ = ConsultationRound(
        round_id=references.new_ref("consultation_round"),
        child=child,
        review_date=review_date,
        created_by=getattr(user, "id", None),
    )
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "consultation.create",
        object_type="consultation_round",
        object_id=round_.round_id,
        summary=f"consultation {round_.round_id} for the review of child {child.child_id} on {review_date}",
        after={"child_id": child.child_id, "review_date": review_date},
        user=user,
    )
    return round_


def change_review_date(round_: ConsultationRound, review_date: dt.date | None, *, user=None) -> ConsultationRound:
    """The review moved: the links open until the new date + 7 days; reminders follow it."""
    check_review_date(review_date)
    taken = exists().where(
        ConsultationRound.child_pk == round_.child_pk,
        ConsultationRound.review_date == review_date,
        ConsultationRound.id != round_.id,
    )
    if db.session.scalar(select(taken)):
        raise DomainError(
            f"There is already a consultation for the review on {format_date(review_date)}", "review_date"
        )
    before = round_.review_date
    round_.review_date = review_date
    db.session.flush()
    audit.record(
        "consultation.update",
        object_type="consultation_round",
        object_id=round_.round_id,
        summary=f"consultation {round_.round_id}: review date {before} → {review_date}",
        before={"review_date": before},
        after={"review_date": review_date},
        user=user,
    )
    return round_


# --- respondents ----------------------------------------------------------------------------------


def add_respondent(
    round_: ConsultationRound,
    *,
    respondent_type: str,
    name: str,
    contact_method: str,
    email: str | None = None,
    user=None,
) -> Respondent:
    check_respondent(respondent_type, name, contact_method, email)
    if not is_open(round_):
        raise DomainError("This consultation has closed: the review was more than 7 days ago")
    respondent = Respondent(
        round=round_,
        respondent_type=RespondentType(respondent_type),
        name=name.strip(),
        contact_method=ContactMethod(contact_method),
        email=email.strip() if contact_method == ContactMethod.email else None,
    )
    db.session.add(respondent)
    db.session.flush()
    audit.record(
        "consultation.add_respondent",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"{respondent.respondent_type.label} added to consultation {round_.round_id}",
        after={
            "round_id": round_.round_id,
            "respondent_type": respondent.respondent_type,
            "name": respondent.name,
            "contact_method": respondent.contact_method,
            "email": respondent.email,
        },
        user=user,
    )
    return respondent


def remove_respondent(respondent: Respondent, *, reason: str | None, user=None) -> None:
    """Take someone who has not answered off the round (added twice, the wrong person): their
    links stop working and what they saved is deleted; the audit row keeps who and why."""
    _check_unanswered(respondent)
    checks.required((reason or "").strip(), "reason", "Enter why they are being taken off")
    before = {
        "round_id": respondent.round.round_id,
        "respondent_type": respondent.respondent_type,
        "name": respondent.name,
        "email": respondent.email,
    }
    audit.record(
        "consultation.remove_respondent",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"{respondent.respondent_type.label} taken off consultation {respondent.round.round_id}",
        before=before,
        after={"reason": reason.strip()},
        user=user,
    )
    db.session.delete(respondent)
    db.session.flush()


# --- personal links -------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(respondent: Respondent, purpose: str) -> str:
    """A new personal link for the respondent: returns the token (for the email only) and keeps
    its hash. Earlier links keep working."""
    token = secrets.token_urlsafe(32)
    db.session.add(Link(respondent=respondent, token_hash=token_hash(token), purpose=purpose))
    db.session.flush()
    return token


def mark_sent(respondent: Respondent, purpose: str) -> None:
    """An invitation or a reminder went (the job's sent-marker: never sent twice)."""
    if purpose == "invitation":
        respondent.invited_at = now_utc()
    else:
        respondent.reminded_at = now_utc()
    respondent.send_attempts += 1
    respondent.send_error = None
    db.session.flush()
    audit.record(
        "consultation.invite",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"consultation {respondent.round.round_id}: {purpose} sent",
        after={"purpose": purpose},
        actor="system",
    )


def mark_failed(respondent: Respondent, error: str) -> None:
    """A send failed: kept with its error for the round's page; the next run tries again."""
    respondent.send_attempts += 1
    respondent.send_error = error
    db.session.flush()


def respondent_for(token: str, day: dt.date | None = None) -> Respondent | None:
    """The respondent whose form the token opens today, or None — for a token that is wrong,
    whose form was sent, or whose round has closed (the public pages answer all three alike)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    respondent = db.session.scalar(
        select(Respondent).join(Link, Link.respondent_pk == Respondent.id).where(Link.token_hash == token_hash(token))
    )
    if respondent is None or respondent.submitted_at is not None or not is_open(respondent.round, day):
        return None
    return respondent


def known_but_closed(token: str) -> Respondent | None:
    """The respondent of a real token whose round has closed, unanswered: a form posted after the
    closing day is refused with its text kept and whom to contact (not the neutral page)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    respondent = db.session.scalar(
        select(Respondent).join(Link, Link.respondent_pk == Respondent.id).where(Link.token_hash == token_hash(token))
    )
    if respondent is None or respondent.submitted_at is not None or is_open(respondent.round):
        return None
    return respondent


# --- answers --------------------------------------------------------------------------------------


def check_answer(key: str, text: str | None) -> None:
    if key not in QUESTION_KEYS:
        raise DomainError("There is no such question")
    if text is not None and len(text) > MAX_ANSWER:
        raise DomainError(f"Your answer must be {MAX_ANSWER:,} characters or fewer", "answer")


def _set_answer(respondent: Respondent, key: str, text: str | None) -> bool:
    """Store (or, blank, clear) one answer; True when it changed."""
    check_answer(key, text)
    text = (text or "").strip()
    existing = next((a for a in respondent.answers if a.question == key), None)
    if existing is not None and existing.text == text:
        return False
    if existing is None and not text:
        return False
    if not text:
        respondent.answers.remove(existing)
    elif existing is None:
        respondent.answers.append(Answer(question=key, text=text, saved_at=now_utc()))
    else:
        existing.text, existing.saved_at = text, now_utc()
    return True


def save_answer(respondent: Respondent, key: str, text: str | None) -> Respondent:
    """The respondent saved one page of the form (save and return: nothing is sent yet)."""
    _check_unanswered(respondent)
    if _set_answer(respondent, key, text):
        _saved(respondent, key)
    return respondent


def save_speak(respondent: Respondent, speak: bool | None) -> Respondent:
    _check_unanswered(respondent)
    if respondent.speak_to_officer != speak:
        respondent.speak_to_officer = speak
        _saved(respondent, "speak")
    return respondent


def _saved(respondent: Respondent, key: str) -> None:
    respondent.first_saved_at = respondent.first_saved_at or now_utc()
    db.session.flush()
    audit.record(
        "consultation.save",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"answer to '{key}' saved on consultation {respondent.round.round_id}",
        actor="respondent",
    )


def submit(respondent: Respondent) -> Respondent:
    """The respondent sent the form: the answers reach the reviewing officer and are read-only."""
    _check_unanswered(respondent)
    if not is_open(respondent.round):
        raise DomainError("This form has closed")
    respondent.submitted_at = now_utc()
    db.session.flush()
    audit.record(
        "consultation.submit",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"{respondent.respondent_type.label} answered consultation {respondent.round.round_id}",
        after={"answered": sorted(a.question for a in respondent.answers)},
        actor="respondent",
    )
    return respondent


def enter_answers(respondent: Respondent, answers: dict[str, str | None], speak: bool | None, *, user=None):
    """Staff type in the answers a respondent gave on paper or on the phone, and send them."""
    _check_unanswered(respondent)
    for key in QUESTION_KEYS:
        try:
            check_answer(key, answers.get(key))
        except DomainError as exc:
            raise DomainError(exc.message, key) from None
    if speak is None and not any((answers.get(key) or "").strip() for key in QUESTION_KEYS):
        raise DomainError("Enter at least one of their answers", QUESTION_KEYS[0])
    for key in QUESTION_KEYS:
        _set_answer(respondent, key, answers.get(key))
    respondent.speak_to_officer = speak
    respondent.submitted_at = now_utc()
    respondent.entered_by = getattr(user, "id", None)
    respondent.first_saved_at = respondent.first_saved_at or respondent.submitted_at
    db.session.flush()
    audit.record(
        "consultation.submit",
        object_type="consultation_respondent",
        object_id=respondent.id,
        summary=f"{respondent.respondent_type.label}'s answers to consultation {respondent.round.round_id} "
        "entered by staff",
        after={"answered": sorted(a.question for a in respondent.answers), "entered_by_staff": True},
        user=user,
    )
    return respondent
