"""Sign-in and sign-out forms (GOV.UK Frontend widgets)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker.auth import passwords
from tracker.core.forms import TrackerForm

RESUME_MAX_LENGTH = 200_000  # a kept form (tracker.auth.resume), as signed


class LoginForm(TrackerForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=500)],
    )
    # a form posted after the session ended, kept to be sent again after sign-in (tracker.auth.resume)
    resume = HiddenField(validators=[Length(max=RESUME_MAX_LENGTH)])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class LogoutForm(TrackerForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class ChangePasswordForm(TrackerForm):
    """Users change their own password (the rule: ``tracker.auth.passwords``, checked by the
    operation). No "confirm" box: the GOV.UK password input's Show button lets the user check it."""

    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password"), Length(max=passwords.MAX_LENGTH)],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=passwords.HINT,
        validators=[InputRequired(message="Enter a new password")],
    )
    # a form posted after the session ended, carried over a sign-in with a temporary password
    resume = HiddenField(validators=[Length(max=RESUME_MAX_LENGTH)])
    submit = SubmitField("Change password", widget=GovSubmitInput())
