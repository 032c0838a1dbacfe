"""The request lifecycle: one commit or one rollback per request, in this one place (as
Indico's ``RH.process``).

Every view runs inside ``_transaction``: when it returns a response below 400 the session is
committed once; when it raises, or answers 400 or more, everything it did is rolled back. A
post whose CSRF token was refused (``tracker.web.forms.check_csrf``) saves nothing, whatever its
view answers.
Views and operations never commit. A refused change (``DomainError``) inside a request is
undone at once by ``discard_changes`` (called by ``tracker.web.forms.submit``) so that the page
shown again with the error reflects the database, not the half-made change.

Reads of LADO records are audited here too (domain.md §1): a blueprint declared with
``audit_reads(bp)`` writes one ``lado_record.read`` row for every page it shows (a redirect
after a change shows nothing: the change has its own audit row), naming the
record (``@reads("lado_referral", "referral_id")``; a page whose URL carries an opaque id
instead of the reference names it once loaded: ``@reads("lado_person")`` and
``note_read_record(person.ref)``) or the list and the references it showed
(``note_read(refs)``). Pages of other blueprints that show LADO records (worklists, the home
page, drill-downs) call ``note_read`` and get the same row. No LADO page can forget it.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, g, request

from tracker.core import audit
from tracker.extensions import db

AUDITED_BLUEPRINTS: set[str] = set()
FILE_ENDPOINTS = frozenset({"static", "govuk_assets"})  # file responses: no database, no session cookie


def audit_reads(blueprint) -> None:
    """Every page of this blueprint shows LADO records: each is an audited read."""
    AUDITED_BLUEPRINTS.add(blueprint.name)


def reads(object_type: str, argument: str | None = None):
    """The page shows the record of ``object_type`` named by the view argument ``argument`` — or,
    without one, by the view with ``note_read_record(ref)`` (its URL holds no reference)."""

    def decorator(view):
        view.read_object = (object_type, argument)
        return view

    return decorator


def note_read_record(ref) -> None:
    """This page shows the record ``ref`` (of the type its ``@reads`` names, without an argument)."""
    g.lado_read_record = str(ref)


def note_read(refs, *, page: int | None = None, total: int | None = None, **facts) -> None:
    """This page showed these LADO records. References only, and ``facts`` that describe the
    page without personal data (e.g. which kinds of search criteria were used, never their
    values): they go into the audit row's ``after``."""
    noted = g.setdefault("lado_reads", {"refs": []})
    noted["refs"].extend(str(r) for r in refs)
    if page is not None:
        noted["page"] = page
    if total is not None:
        noted["total"] = total
    noted.update(facts)


def keep_refusal() -> None:
    """The page answers with an error status, yet what it wrote stands: the audit row of the
    refusal itself (a wrong consultation link tried), which a throttle counts."""
    g.keep_refusal = True


def discard_changes() -> None:
    """Undo everything this request has changed so far (a refused change)."""
    db.session.rollback()


def _record_read(view) -> None:
    noted = g.pop("lado_reads", None)
    audited = request.blueprint in AUDITED_BLUEPRINTS
    if not audited and not (noted and noted["refs"]):
        return
    declared = getattr(view, "read_object", None)
    if declared is not None and declared[1] is None:
        object_type, object_id = declared[0], g.pop("lado_read_record", None)
        if object_id is None:  # no page may show a record without naming it
            raise RuntimeError(f"{request.endpoint} showed a {object_type} without note_read_record(ref)")
    elif declared is not None:
        object_type, object_id = declared[0], (request.view_args or {}).get(declared[1])
    else:
        object_type, object_id = "lado_page", request.endpoint
    refs = noted["refs"] if noted else []
    summary = f"Viewed {request.endpoint}" + (f" {object_id}" if declared else "")
    if refs:
        summary += f": {len(refs)} record{'s' if len(refs) != 1 else ''}"
    audit.record("lado_record.read", object_type=object_type, object_id=object_id, summary=summary, after=noted or None)


def _transaction(view):
    @wraps(view)
    def run(*args, **kwargs):
        from flask import current_app

        try:
            response = current_app.make_response(view(*args, **kwargs))
            if g.get("csrf_refused"):  # its form is shown again; nothing the post asked for is saved
                db.session.rollback()
            if response.status_code < 400:
                if response.status_code < 300:  # a page was shown (a redirect shows nothing)
                    _record_read(view)
                db.session.commit()
            elif g.pop("keep_refusal", False):
                db.session.commit()
            else:
                db.session.rollback()
        except BaseException:
            db.session.rollback()
            raise
        return response

    return run


def init_app(app: Flask) -> None:
    """Wrap every view (call once all blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint in FILE_ENDPOINTS or getattr(view, "_in_transaction", False):
            continue
        wrapped = _transaction(view)
        wrapped._in_transaction = True
        app.view_functions[endpoint] = wrapped
