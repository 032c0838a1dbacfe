"""Sign-in and sign-out forms (GOV.UK Frontend widgets)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
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
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())
