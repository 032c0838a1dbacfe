"""Forms of the consultations: staff forms (a round, a respondent, answers typed in from paper)
and the public form's pages (one question a page, GOV.UK question pages).

The public pages have no account and no session: their forms carry ``form_key``, a keyed hash of
the personal link (``public_key``), instead of Flask-WTF's session-bound CSRF token; a post
without the key of its own link is refused. The link itself is the secret a forger lacks."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.consultations.models import QUESTIONS, ContactMethod, RespondentType
from tracker.consultations.operations import MAX_ANSWER
from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, choices, required_date

YES_NO = choices([("yes", "Yes"), ("no", "No")])
SPEAK_LABEL = "Would you like to speak to the reviewing officer before the review?"
CHILD_SPEAK_LABEL = "Would you like to talk to your reviewing officer before your review?"


def speak_value(raw: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


def speak_raw(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class RoundForm(VersionedForm, TrackerForm):
    review_date = GovDate(
        "Date of the review",
        ahead=True,
        validators=[required_date("Enter the date of the review")],
        description="The planned date, or the date the review is due. The form stays open until 7 days after it.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class RespondentForm(TrackerForm):
    respondent_type = CodeRadioField("Who are you asking?", codes=RespondentType, validators=[Optional()])
    name = StringField("Their name", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    contact_method = CodeRadioField(
        "How will they get the form?", codes=ContactMethod, default=ContactMethod.email.value, validators=[Optional()]
    )
    email = StringField(
        "Their email address (if they are emailed)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254)],
        description="The invitation names no child and no case detail: just the review date and their personal link",
    )
    submit = SubmitField("Add respondent", widget=GovSubmitInput())


class RemoveRespondentForm(VersionedForm, TrackerForm):
    reason = TextAreaField(
        "Why are they being taken off?",
        widget=GovTextArea(),
        description="For example, added twice, or the wrong person. Kept in the audit log.",
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField("Take them off this consultation", widget=GovSubmitInput())


def _answers_form():
    """Staff type in a paper or phone answer: every question on one page."""
    fields = {
        q.key: TextAreaField(
            q.text + " (optional)",
            widget=GovTextArea(),
            description=q.hint,
            validators=[Optional(), Length(max=MAX_ANSWER)],
        )
        for q in QUESTIONS
    }
    fields["speak"] = RadioField(SPEAK_LABEL, widget=GovRadioInput(), choices=YES_NO, validators=[Optional()])
    fields["submit"] = SubmitField("Save and send these answers", widget=GovSubmitInput())
    return type("AnswersForm", (VersionedForm, TrackerForm), fields)


AnswersForm = _answers_form()


# --- the public pages -----------------------------------------------------------------------------


def public_key(token: str) -> str:
    """The key a public page's form carries: an HMAC of the link under the app's secret."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"consult:" + token.encode(), hashlib.sha256).hexdigest()


class PublicForm(TrackerForm):
    """A public page's form: no session, so no session CSRF token; ``form_key`` instead."""

    class Meta:
        csrf = False

    form_key = HiddenField()

    def key_ok(self, token: str) -> bool:
        # as bytes: compare_digest refuses a str with non-ASCII characters (anything may be posted)
        return hmac.compare_digest((self.form_key.data or "").encode(), public_key(token).encode())


class QuestionForm(PublicForm):
    answer = TextAreaField(widget=GovTextArea(), validators=[Optional(), Length(max=MAX_ANSWER)])
    save = SubmitField("Save and continue", widget=GovSubmitInput())
    later = SubmitField("Save and come back later", widget=GovSubmitInput())


class SpeakForm(PublicForm):
    speak = RadioField(SPEAK_LABEL, widget=GovRadioInput(), choices=YES_NO, validators=[Optional()])
    save = SubmitField("Save and continue", widget=GovSubmitInput())
    later = SubmitField("Save and come back later", widget=GovSubmitInput())


class SendForm(PublicForm):
    save = SubmitField("Send your answers", widget=GovSubmitInput())
