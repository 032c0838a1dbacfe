"""The administrator's timescale rules and closure days pages (domain.md §2–3), under /admin/rules.

Thin: load (404) → form → one operation (which validates the rule, changes the rows and writes
the audit row) → redirect; the request lifecycle commits.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from tracker.core import timescales
from tracker.core.calendar import ClosureDay
from tracker.core.permissions import require
from tracker.core.timescales import TimescaleRule
from tracker.formatters import format_date
from tracker.rules import operations, queries
from tracker.rules.forms import ClosureForm, RemoveForm, RuleForm
from tracker.web.forms import submit
from tracker.web.records import load_or_404

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


@bp.route("/")
@require("admin.rules")
def index():
    return render_template(
        "rules/index.html", rules=timescales.all_rules(), closures=queries.closure_days(), remove_form=RemoveForm()
    )


@bp.route("/<name>", methods=["GET", "POST"])
@require("admin.rules")
def edit(name: str):
    rule = load_or_404(TimescaleRule, name=name)
    form = RuleForm(obj=rule)
    if done := submit(form, lambda: operations.update_rule(rule, form.amount.data, form.unit.data), record=rule):
        if done.result:
            flash(f"{rule.label}: saved as {rule.duration_text}.", "success")
        else:
            flash("No changes to save.", "info")
        return redirect(url_for("rules.index"))
    return render_template("rules/edit.html", rule=rule, form=form)


@bp.route("/closures/new", methods=["GET", "POST"])
@require("admin.rules")
def new_closure():
    form = ClosureForm()
    if submit(form, lambda: operations.add_closure_day(form.day.data, form.reason.data)):
        flash(f"Closure day {format_date(form.day.data)} added: deadlines now skip it.", "success")
        return redirect(url_for("rules.index"))
    return render_template(
        "rules/closure.html", form=form, title="Add a closure day", back=url_for("rules.index") + "#closure-days"
    )


@bp.route("/closures/<day>/remove", methods=["POST"])
@require("admin.rules")
def remove_closure(day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    load_or_404(ClosureDay, day=date)
    if not submit(RemoveForm(), lambda: operations.remove_closure_day(date)):
        abort(400)
    flash(f"Closure day {format_date(date)} removed: it is a working day again.", "success")
    return redirect(url_for("rules.index"))
