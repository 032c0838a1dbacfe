"""Consultation records for the tests, made through ``tracker.consultations.operations`` (so each
has its rules, reference and audit rows). Inside an app context; they flush, the caller commits."""

from __future__ import annotations

from tracker.consultations import operations
from tracker.consultations.models import ConsultationRound, Respondent
from tracker.reviews.models import Child

from ..reviews.factories import d


def consultation(c: Child, review_date: str = "2026-03-20") -> ConsultationRound:
    return operations.create_round(c, d(review_date))


def respondent(
    round_: ConsultationRound,
    respondent_type: str = "parent",
    name: str = "Pat Parent",
    email: str | None = "pat@example.net",
    contact_method: str | None = None,
) -> Respondent:
    return operations.add_respondent(
        round_,
        respondent_type=respondent_type,
        name=name,
        contact_method=contact_method or ("email" if email else "paper"),
        email=email,
    )


def answered(r: Respondent, **answers: str) -> Respondent:
    """The respondent's form filled in and sent (as they would through their link)."""
    for key, text in answers.items():
        operations.save_answer(r, key, text)
    return operations.submit(r)
