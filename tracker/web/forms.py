"""The one form flow every page uses: validate → one operation → a refused change becomes a
GOV.UK field error, the user's typing is kept, nothing is half-saved.

    form = ReviewForm()
    if done := submit(form, lambda: operations.edit_review(review, **values(form)), record=review):
        flash(f"Review {done.result.review_id} saved", "success")
        return redirect(record_url("child", child.child_id))
    return render_template("reviews/review_form.html", form=form, ...)

The request lifecycle commits after the redirect; ``submit`` never commits.

**No lost updates.** A form that changes an existing record (``tracker.core.forms.VersionedForm``)
carries the record's version; ``submit(..., record=obj)`` fills it when the page is shown and,
on a post, refuses the change when the version sent back is not the record's version now
(a colleague saved it after the page was opened), or when SQLAlchemy's optimistic lock finds
that a colleague's save got in between loading and saving (``StaleDataError``). Either way
nothing is saved (``discard_changes``), and the page is shown again with the user's input
kept, the error "Someone else changed this record since you opened it", the record as it is
now beside what the user entered (``form.conflict``, drawn by ``macros/conflict.html``), and
the form's version moved to the current one, so that saving again deliberately replaces the
colleague's change. A post that carries no version at all is not compared. Every save through
such a form moves the record's version on, also when the operation changed only its parts
(an escalation's stages, a user's roles, a contact's categories).

**An expired page.** A post from a page of the tracker whose CSRF token has expired or is
missing (the page was open too long, the user signed in again in another tab) is not refused
with a bare error page: ``check_csrf`` lets its view run, the view's form fails on the token
(``TOKEN_REFUSED``) and is shown again, with what the user entered and the message in the error
summary, and the request lifecycle saves nothing that request did. Sending it again sends it
with the fresh token the page now carries. A post from anywhere else is refused (400), so that
another site cannot fill in a tracker form for the user to send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from tracker.core.errors import DomainError, StaleRecord
from tracker.core.forms import INPUT_SKIPPED
from tracker.extensions import csrf, db, login_manager
from tracker.formatters import format_date
from tracker.web.lifecycle import discard_changes

SKIPPED_TYPES = INPUT_SKIPPED
NOT_ENTERED = "Not entered"


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


@dataclass(frozen=True)
class ConflictRow:
    """One answer of the form that differs from the record as a colleague saved it."""

    label: str
    theirs: str  # saved by the colleague: the record as it is now
    yours: str  # what this user entered


@dataclass(frozen=True)
class Conflict:
    """A stale save refused: the answers that differ (none when the form has no answer to compare)."""

    rows: list[ConflictRow] = dataclass_field(default_factory=list)


def submit(form, operation: Callable[[], Any], *, record=None, default_field: str | None = None) -> Done | None:
    """Validate a posted ``form`` and run ``operation``. Returns ``Done(result)`` on success;
    None when the form was not posted or not valid, or the operation refused the change (then
    the changes are discarded and the message is on the form, next to its field), or ``record``
    (the record the form changes) was saved by someone else since the page was opened (then
    nothing is saved and ``form.conflict`` says what differs)."""
    if record is not None:
        carry_version(form, record)
    if not form.validate_on_submit():
        return None
    try:
        version = None
        if record is not None:
            check_version(form, record)
            version = record.version
        result = operation()
        db.session.flush()  # a colleague's save that got in first shows here, not at the commit
        if record is not None:
            _move_on(record, version)
        return Done(result)
    except (StaleRecord, StaleDataError) as exc:
        discard_changes()
        show_conflict(form, record, exc if isinstance(exc, StaleRecord) else StaleRecord(), default_field)
        return None
    except DomainError as exc:
        discard_changes()
        field_error(form, exc, default_field)
        return None


def posted_from_this_site() -> bool:
    """The post came from a page of the tracker: ``Origin`` (else ``Referer``) names this site,
    and ``Sec-Fetch-Site``, when the browser sends it, says ``same-origin``."""
    here = request.host_url.rstrip("/").lower()
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin:
        return origin.lower() == here
    if not request.referrer:
        return False
    parts = urlsplit(request.referrer)
    return f"{parts.scheme}://{parts.netloc}".lower() == here


def check_csrf() -> None:
    """Before every request (after the session guard): Flask-WTF's CSRF check, run here instead
    of by ``CSRFProtect`` itself (``WTF_CSRF_CHECK_DEFAULT`` is off). A post whose token is
    refused, from a page of the tracker to a page that can show its form again (the user is
    signed in, or it is the sign-in page), goes on to its view marked ``g.csrf_refused``: the
    form is shown again (see the module's "An expired page"). Anything else refused raises
    ``CSRFError`` (the 400 page); an anonymous post to another page was the session guard's to
    keep (``tracker.auth.resume``)."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        csrf.protect(apply_exemptions=True)
    except CSRFError:
        shows_form = current_user.is_authenticated or request.endpoint == login_manager.login_view
        if request.url_rule is None or not shows_form or not posted_from_this_site():
            raise
        g.csrf_refused = True


def carry_version(form, record):
    """A form shown for ``record`` carries the record's version; a posted form keeps the version
    its page had. For forms a page builds itself (``formdata=None``) besides ``submit``'s."""
    version = getattr(form, "version", None)
    if version is not None and version.raw_data is None:
        version.data = str(record.version)
    return form


def is_stale(form, record) -> bool:
    """The form was posted from a page showing an older version of ``record`` (a post without a
    version is not compared)."""
    version = getattr(form, "version", None)
    if version is None or version.raw_data is None:
        return False
    posted = str(version.data if version.data is not None else "").strip()
    return bool(posted) and posted != str(record.version)


def check_version(form, record) -> None:
    """Refuse (``StaleRecord``) a post whose version is not the record's version now."""
    if is_stale(form, record):
        raise StaleRecord()


def _move_on(record, version: int) -> None:
    """The record's version moves on with every save, also when the operation changed only its
    parts (rows of another table), which SQLAlchemy's lock alone would not count."""
    state = inspect(record)
    if state.deleted or state.was_deleted or state.detached:
        return
    if record.version == version:
        record.version = version + 1  # UPDATE … SET version = v + 1 WHERE … AND version = v
        db.session.flush()


def show_conflict(form, record, exc: StaleRecord | None = None, default_field: str | None = None) -> None:
    """The page shown again after a stale save: the message, the record as it is now beside the
    user's answers (``form.conflict``), and the current version in the form, so that saving
    again replaces the colleague's change knowingly. Call after ``discard_changes``."""
    exc = exc or StaleRecord()
    if record is None or getattr(form, "version", None) is None:
        field_error(form, exc, default_field)
        return
    try:
        current = record.version  # reloaded: the changes were discarded
    except ObjectDeletedError:
        abort(404)  # the colleague deleted it: there is nothing left to change
    form.version.data = str(current)
    form.version.errors = [exc.message]
    form.conflict = Conflict(conflict_rows(form, record))


def conflict_rows(form, record) -> list[ConflictRow]:
    """The answers of ``form`` that differ from ``record`` as it is now (``form.record_values``)."""
    values = form.record_values(record) if hasattr(form, "record_values") else {}
    rows = []
    for field in form:
        if field.type in SKIPPED_TYPES or field.short_name not in values:
            continue
        theirs, yours = values[field.short_name], field.data
        if _comparable(field, theirs) != _comparable(field, yours):
            label = field.label.text.removesuffix(" (optional)")
            rows.append(ConflictRow(label, _shown(field, theirs), _shown(field, yours)))
    return rows


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], (), set())


def _comparable(field, value):
    if field.type == "BooleanField":
        return bool(value)
    if _blank(value):
        return None
    if isinstance(value, list | tuple | set):
        return tuple(sorted(str(v) for v in value))
    if isinstance(value, str):  # a code list member is its code
        return str(value).strip()
    return value


def _choice_labels(field) -> dict[str, str]:
    if not hasattr(field, "iter_choices"):
        return {}
    return {str(choice.value): str(choice.label) for choice in field.iter_choices()}


def _shown(field, value) -> str:
    if field.type == "BooleanField":
        return "Yes" if value else "No"
    if _blank(value):
        return NOT_ENTERED
    if isinstance(value, dt.date):
        return format_date(value)
    labels = _choice_labels(field)
    if isinstance(value, list | tuple | set):
        return ", ".join(labels.get(str(v), getattr(v, "label", str(v))) for v in value)
    if str(value) in labels:
        return labels[str(value)]
    return getattr(value, "label", None) or str(value)
