"""The worklist filter (a GET form: its values are codes and officer ids, never personal data)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.core import checks, worklist
from tracker.core.forms import GovDate, TrackerForm
from tracker.core.timescales import DueState

ANY_STATE = "any"
NOT_ALLOCATED = "-"  # the owner filter's choice for the items nobody owns (a queue)
# "overdue more than N days": old items a manager may want out of (or only in) the list
OVERDUE_BY = (
    ("7", "More than a week"),
    ("30", "More than 30 days"),
    ("90", "More than 90 days"),
    ("365", "More than a year"),
)


class WorklistFilterForm(TrackerForm):
    class Meta:
        csrf = False

    kind = SelectField("Type of item", widget=GovSelect(), validators=[Optional()])
    state = SelectField("Status", widget=GovSelect(), validators=[Optional()])
    owner = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    team = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    overdue_by = SelectField(
        "Overdue by",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[SelectChoice("", "Any time"), *(SelectChoice(v, label) for v, label in OVERDUE_BY)],
    )
    due_from = GovDate("Due on or after (optional)")
    due_to = GovDate("Due on or before (optional)")
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def validate_due_to(self, field):
        if field.data and self.due_from.data and field.data < self.due_from.data:
            raise ValidationError("The 'due on or before' date must be the same as or after the 'due on or after' date")

    @classmethod
    def for_user(cls, user, args, *, default_state: str, with_people: bool, officers: dict[str, str], teams: list[str]):
        form = cls(args)
        form.kind.choices = [SelectChoice("", "All types")] + [
            SelectChoice(k.kind, k.label) for k in worklist.kinds_for(user, own=not with_people)
        ]
        form.state.choices = [SelectChoice(ANY_STATE, "Any status"), *DueState.choices()]
        form.owner.choices = [
            SelectChoice("", "All officers"),
            *(SelectChoice(oid, f"{name} ({oid})") for oid, name in officers.items()),
            SelectChoice(NOT_ALLOCATED, "Not allocated"),
        ]
        asked = args.get("owner") or ""
        if asked and asked != NOT_ALLOCATED and asked not in officers and checks.REFERENCE.fullmatch(asked):
            # an officer id that owns items without a user account (imported): offered when asked,
            # so a count's link from the manager's home page lists its items
            form.owner.choices.append(SelectChoice(asked, f"{asked} (no user account)"))
        form.team.choices = [SelectChoice("", "All teams")] + [SelectChoice(t, t) for t in teams]
        if "state" not in args:
            form.state.data = default_state
        if not with_people:
            del form.owner
            del form.team
        return form
