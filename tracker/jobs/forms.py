"""Notification settings: the user's own (the digest) and an administrator's (the digest and
who is the board chair)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from tracker.core.forms import TrackerForm, VersionedForm, choices

YES, NO = "yes", "no"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else (YES if value else NO)


class NotificationsForm(VersionedForm, TrackerForm):
    receives_digest = RadioField(
        "Do you want the daily digest email?",
        widget=GovRadioInput(),
        choices=choices(
            [
                (YES, "Yes, email me my overdue and due-soon items each working day at 7am"),
                (NO, "No, I will look at my worklist in the tracker"),
            ]
        ),
        validators=[InputRequired(message="Select whether you want the daily digest email")],
    )
    submit = SubmitField("Save notification settings", widget=GovSubmitInput())

    def record_values(self, record) -> dict:
        return {"receives_digest": _yes_no(record.receives_digest)}

    @classmethod
    def for_user(cls, user, **kwargs):
        return cls(formdata=None, receives_digest=_yes_no(user.receives_digest), **kwargs)


class UserNotificationsForm(NotificationsForm):
    """An administrator sets a user's digest and whether they are the board chair."""

    receives_digest = RadioField(
        "Does this user get the daily digest email?",
        widget=GovRadioInput(),
        choices=choices([(YES, "Yes"), (NO, "No")]),
        validators=[InputRequired(message="Select whether the user gets the daily digest email")],
        description="Users can change this themselves on their notifications page.",
    )
    board_chair = RadioField(
        "Is this user the chair of the Corporate Parenting Board?",
        widget=GovRadioInput(),
        choices=choices([(YES, "Yes"), (NO, "No")]),
        validators=[InputRequired(message="Select whether the user is the board chair")],
        description="The board chair is emailed, with the IRO managers, when an escalation reaches stage 4.",
    )

    def record_values(self, record) -> dict:
        return {"receives_digest": _yes_no(record.receives_digest), "board_chair": _yes_no(record.board_chair)}

    @classmethod
    def for_user(cls, user, **kwargs):
        return cls(
            formdata=None,
            receives_digest=_yes_no(user.receives_digest),
            board_chair=_yes_no(user.board_chair),
            **kwargs,
        )


class RunFilterForm(TrackerForm):
    class Meta:
        csrf = False

    job = SelectField("Job", widget=GovSelect(), validators=[Optional()], choices=[])
    submit = SubmitField("Show runs", widget=GovSubmitInput())

    def __init__(self, *args, jobs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.job.choices = choices([("", "All jobs"), *jobs])
