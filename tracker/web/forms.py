"""The one form flow every page uses: validate → one operation → a refused change becomes a
GOV.UK field error, the user's typing is kept, nothing is half-saved.

    form = ReviewForm()
    if done := submit(form, lambda: operations.record_review(child, **values(form))):
        flash(f"Review {done.result.review_id} saved", "success")
        return redirect(record_url("child", child.child_id))
    return render_template("reviews/review_form.html", form=form, ...)

The request lifecycle commits after the redirect; ``submit`` never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.core.errors import DomainError
from tracker.web.lifecycle import discard_changes

SKIPPED_TYPES = ("CSRFTokenField", "SubmitField", "HiddenField")


def field_error(form, exc: DomainError, default: str | None = None) -> None:
    """Show a refused change against its field (or ``default``, or the first input field); the
    page's error summary (base.html) lists it and links to the field."""
    field = None
    for name in (exc.field, default):
        if name and getattr(form, name, None) is not None:
            field = getattr(form, name)
            break
    if field is None:  # the first input field; a form that is only a button carries it on the button
        field = next((f for f in form if f.type not in SKIPPED_TYPES), None) or form.submit
    field.errors = [*field.errors, exc.message]


@dataclass(frozen=True)
class Done:
    """A change made: always true, with what the operation returned as ``result``."""

    result: Any = None

    def __bool__(self) -> bool:
        return True


def submit(form, operation: Callable[[], Any], *, default_field: str | None = None) -> Done | None:
    """Validate a posted ``form`` and run ``operation``. Returns ``Done(result)`` on success;
    None when the form was not posted or not valid, or the operation refused the change (then
    the changes are discarded and the message is on the form, next to its field)."""
    if not form.validate_on_submit():
        return None
    try:
        return Done(operation())
    except DomainError as exc:
        discard_changes()
        field_error(form, exc, default_field)
        return None
