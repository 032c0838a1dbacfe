"""The worklist filter (a GET form: its values are codes and officer ids, never personal data)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.core import worklist
from tracker.core.forms import TrackerForm
from tracker.core.timescales import DueState

ANY_STATE = "any"


class WorklistFilterForm(TrackerForm):
    class Meta:
        csrf = False

    kind = SelectField("Type of item", widget=GovSelect(), validators=[Optional()])
    state = SelectField("Status", widget=GovSelect(), validators=[Optional()])
    owner = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    team = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())

    @classmethod
    def for_user(cls, user, args, *, default_state: str, with_people: bool, officers: dict[str, str], teams: list[str]):
        form = cls(args)
        form.kind.choices = [SelectChoice("", "All types")] + [
            SelectChoice(k.kind, k.label) for k in worklist.kinds_for(user)
        ]
        form.state.choices = [SelectChoice(ANY_STATE, "Any status"), *DueState.choices()]
        form.owner.choices = [SelectChoice("", "All officers")] + [
            SelectChoice(oid, f"{name} ({oid})") for oid, name in officers.items()
        ]
        form.team.choices = [SelectChoice("", "All teams")] + [SelectChoice(t, t) for t in teams]
        if "state" not in args:
            form.state.data = default_state
        if not with_people:
            del form.owner
            del form.team
        return form
