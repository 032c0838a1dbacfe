"""Pre-review consultations (issue 17): a round of invitations before a child's review, its
respondents (personal data: a name and an email address), the personal links sent to them (a
hash of each token, never the token) and their answers, one row per question.

A round belongs to the child and the date of the review it prepares (the planned or due date:
the review is not recorded until it is held). Answers are read-only once the respondent submits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import now_utc
from tracker.core.enums import CodeEnum
from tracker.db import Code, UTCDateTime, Versioned, check_in
from tracker.extensions import db
from tracker.reviews.models import Child


class RespondentGroup(CodeEnum):
    """Whose take-up the indicators measure (the board papers: carers answer, parents and family
    members rarely do: 003:L889)."""

    child = "child", "Child"
    parent = "parent", "Parent"
    carer = "carer", "Carer"
    family = "family", "Other family member"
    professional = "professional", "Professional"


class RespondentType(CodeEnum):
    child = "child", "The child or young person", None, "They get the form written for children"
    parent = "parent", "Parent"
    carer = "carer", "Carer", None, "Foster carer, kinship carer or residential key worker"
    family = "family", "Other family member"
    social_worker = "social_worker", "Social worker"
    school = "school", "School or virtual school"
    health = "health", "Health professional"
    advocate = "advocate", "Advocate"

    @property
    def group(self) -> RespondentGroup:
        return RespondentGroup(self.value) if self.value in RespondentGroup.codes() else RespondentGroup.professional

    @property
    def family_side(self) -> bool:
        """Told the child's first name on the form (a professional is told the review date only)."""
        return self in (RespondentType.parent, RespondentType.carer, RespondentType.family)


class ContactMethod(CodeEnum):
    email = (
        "email",
        "Email",
        None,
        "They are emailed a personal link to the form, and a reminder if they have not answered",
    )
    paper = "paper", "Paper or phone", None, "Print the form for them, or fill it in with them on the phone"


class Status(CodeEnum):
    """Where a respondent is (derived, never stored)."""

    to_send = "to_send", "Invitation waiting to be sent", "blue"
    failed = "failed", "Invitation not sent", "red"
    invited = "invited", "Invited", "light-blue"
    reminded = "reminded", "Reminded", "purple"
    paper = "paper", "Paper or phone", "grey"
    answered = "answered", "Answered", "green"


@dataclass(frozen=True)
class Question:
    key: str
    text: str  # for adults
    child_text: str  # for the child (a reading age of about 9)
    hint: str = ""
    child_hint: str = ""


# The topics of the council's consultation forms (003:L887), then the two questions every form
# ends with. ``speak`` is answered yes or no; the others are free text, each optional.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "relationships",
        "How are the child's relationships with the people around them?",
        "Who are the important people in your life?",
        "For example with carers, family, friends and the people who work with them",
        "You can write about anyone: family, carers, friends, pets",
    ),
    Question(
        "wellbeing",
        "How is the child feeling and coping?",
        "How have you been feeling?",
        "Their emotional wellbeing: what is going well, and any worries",
        "Tell us about good days and any worries",
    ),
    Question(
        "health",
        "How is the child's health?",
        "How is your health?",
        "Physical and mental health, appointments, anything that needs following up",
        "For example sleeping, eating, going to the doctor or dentist",
    ),
    Question(
        "education",
        "How is the child getting on at school, college or work?",
        "How is school going?",
        "Attendance, progress, support, anything that needs to change",
        "Or college, or work",
    ),
    Question(
        "family_time",
        "How is family time going?",
        "How do you feel about seeing your family?",
        "Contact with parents, brothers and sisters and others: how often, how it goes",
        "Is it enough? Is there anyone you would like to see more, or less?",
    ),
    Question(
        "information",
        "Are you kept informed and involved in decisions?",
        "Do people tell you what is happening and listen to you?",
        "Information sharing: what you are told, by whom, and what you would like to know",
    ),
    Question(
        "requests",
        "Is there anything you would like the review to decide or change?",
        "Is there anything you want to change?",
        "Requests or recommendations for the child's plan",
    ),
    Question(
        "anything_else",
        "Is there anything else you want the reviewing officer to know?",
        "Is there anything else you want your reviewing officer to know?",
    ),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
SPEAK = "speak"  # "Would you like to speak to the reviewing officer before the review?"


class ConsultationRound(Versioned, db.Model):
    __tablename__ = "consultation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    child: Mapped[Child] = relationship()
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Respondent.id"
    )

    __table_args__ = (Index("ix_consultation_rounds_child_pk_review_date", "child_pk", "review_date"),)

    def __repr__(self) -> str:
        return f"<ConsultationRound {self.round_id}>"


class Respondent(Versioned, db.Model):
    __tablename__ = "consultation_respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_pk: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    respondent_type: Mapped[RespondentType] = mapped_column(Code(RespondentType, 20))
    name: Mapped[str] = mapped_column(String(200))
    contact_method: Mapped[ContactMethod] = mapped_column(Code(ContactMethod, 10))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    send_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    send_error: Mapped[str | None] = mapped_column(Text)  # the last failed send's error, for the admin
    first_saved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # staff, on paper
    speak_to_officer: Mapped[bool | None] = mapped_column(Boolean)

    round: Mapped[ConsultationRound] = relationship(back_populates="respondents")
    answers: Mapped[list[Answer]] = relationship(back_populates="respondent", cascade="all, delete-orphan")
    links: Mapped[list[Link]] = relationship(back_populates="respondent", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(check_in("respondent_type", RespondentType), name="respondent_type_code"),
        CheckConstraint(check_in("contact_method", ContactMethod), name="contact_method_code"),
        CheckConstraint("contact_method <> 'email' OR email IS NOT NULL", name="email_for_email"),
    )

    @property
    def status(self) -> Status:
        if self.submitted_at is not None:
            return Status.answered
        if self.contact_method is ContactMethod.paper:
            return Status.paper
        if self.reminded_at is not None:
            return Status.reminded
        if self.invited_at is not None:
            return Status.invited
        return Status.failed if self.send_error else Status.to_send

    def answer(self, key: str) -> str:
        return next((a.text for a in self.answers if a.question == key), "")

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Respondent {self.id}>"


class Link(db.Model):
    """A personal link sent to a respondent: the SHA-256 of its token (the token itself is in the
    email only). An invitation's and a reminder's links both open the respondent's form."""

    __tablename__ = "consultation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_pk: Mapped[int] = mapped_column(
        ForeignKey("consultation_respondents.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invitation or reminder
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)

    respondent: Mapped[Respondent] = relationship(back_populates="links")

    __table_args__ = (CheckConstraint("purpose IN ('invitation', 'reminder')", name="purpose_code"),)


class Answer(db.Model):
    __tablename__ = "consultation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_pk: Mapped[int] = mapped_column(ForeignKey("consultation_respondents.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)

    respondent: Mapped[Respondent] = relationship(back_populates="answers")

    __table_args__ = (
        UniqueConstraint("respondent_pk", "question", name="uq_consultation_answers_respondent_pk_question"),
        CheckConstraint(check_in("question", QUESTION_KEYS), name="question_code"),
    )
