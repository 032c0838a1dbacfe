"""The administrator's timescale rules and closure days pages (domain.md §2–3), under /admin/rules.

Thin views: the form validates the shape of the input, ``rules_ops`` validates the rule,
changes the rows and writes the audit row, the view commits once and redirects.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import DateField, IntegerField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from tracker.core import rules_ops, timescales
from tracker.core.calendar import ClosureDay
from tracker.core.permissions import require
from tracker.core.timescales import TimescaleRule, Unit
from tracker.extensions import db

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice(u.value, u.label.capitalize()) for u in Unit]


class RuleForm(FlaskForm):
    amount = IntegerField(
        "Amount",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the amount as a whole number, like 20")],
        invalid_value_message="Enter the amount as a whole number, like 20",
        description="A whole number. A negative number means before the anchor date (for example -5 for papers sent 5 working days before a panel).",
    )
    unit = RadioField(
        "Unit",
        widget=GovRadioInput(),
        choices=_unit_choices,
        validators=[InputRequired(message="Select working days, days or months")],
    )
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def validate_amount(self, field):
        if field.data is None:
            return
        unit = self.unit.data if self.unit.data in Unit.__members__ else None
        try:
            if unit is None:
                if field.data == 0:
                    raise rules_ops.RuleError("The amount must not be 0")
            else:
                rules_ops.validate_amount(field.data, unit)
        except rules_ops.RuleError as exc:
            from wtforms.validators import ValidationError

            raise ValidationError(exc.message) from None


class ClosureForm(FlaskForm):
    day = DateField(
        "Date",
        widget=GovDateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the date of the closure")],
        description="For example, 24 12 2026",
        invalid_value_message="Enter a real date, like 24 12 2026",
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reason for the closure"), Length(max=200, message="The reason must be 200 characters or fewer")],
        description="For example, council closure between Christmas and New Year",
    )
    submit = SubmitField("Add closure day", widget=GovSubmitInput())


class RemoveForm(FlaskForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())


def _rule_or_404(name: str) -> TimescaleRule:
    rule = db.session.get(TimescaleRule, name)
    if rule is None:
        abort(404)
    return rule


@bp.route("/")
@require("admin.rules")
def index():
    return render_template(
        "admin/rules.html",
        rules=timescales.all_rules(),
        closures=rules_ops.closure_days(),
        remove_form=RemoveForm(),
    )


@bp.route("/<name>", methods=["GET", "POST"])
@require("admin.rules")
def edit(name: str):
    rule = _rule_or_404(name)
    form = RuleForm(obj=rule)
    if form.validate_on_submit():
        try:
            changed = rules_ops.update_rule(rule, form.amount.data, form.unit.data, user=current_user._get_current_object())
        except rules_ops.RuleError as exc:
            db.session.rollback()
            getattr(form, exc.field or "amount").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"{rule.label}: saved as {rule.duration_text}." if changed else "No changes to save.", "success" if changed else "info")
            return redirect(url_for("rules.index"))
    return render_template("admin/rules_edit.html", rule=rule, form=form)


@bp.route("/closures/new", methods=["GET", "POST"])
@require("admin.rules")
def new_closure():
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            rules_ops.add_closure_day(form.day.data, form.reason.data, user=current_user._get_current_object())
        except rules_ops.RuleError as exc:
            db.session.rollback()
            getattr(form, exc.field or "day").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Closure day {form.day.data.strftime('%-d %B %Y')} added: deadlines now skip it.", "success")
            return redirect(url_for("rules.index"))
    return render_template("admin/rules_closure.html", form=form)


@bp.route("/closures/<day>/remove", methods=["POST"])
@require("admin.rules")
def remove_closure(day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    if db.session.get(ClosureDay, date) is None:
        abort(404)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    rules_ops.remove_closure_day(date, user=current_user._get_current_object())
    db.session.commit()
    flash(f"Closure day {date.strftime('%-d %B %Y')} removed: it is a working day again.", "success")
    return redirect(url_for("rules.index"))


def init_app(app: Flask) -> None:
    from tracker.web import nav_item

    app.register_blueprint(bp)
    nav_item("Timescales", "rules.index", "admin.rules", order=95)
