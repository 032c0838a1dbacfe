"""Loading a record for a page, and the one URL of each kind of record.

``load_or_404(Model, child_id="C1")`` finds one row by its columns or ends the request with 404
(``find`` gives None instead, for a reference typed into a form).
``register_record("child", "reviews.child", "child_id")`` names the page of a kind of record;
``record_url("child", "C1")`` gives its URL anywhere — in a view, a template (as the
``record_url`` global), a drill-down row, a worklist item or an e-mail built by a job, with or
without a request.

A record whose reference must not appear in a URL (a LADO person's may be a name) is registered
with the ``attribute`` that goes there instead, ``register_record("lado_person", "lado.person",
"public_id", attribute="public_id")``, and ``record_url("lado_person", person)`` takes the record
— or any row with that attribute, so a list loads it in its own query — never a reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, has_request_context, url_for
from sqlalchemy import BigInteger, Integer, SmallInteger, select

from tracker.core import checks
from tracker.extensions import db

# The integers a column can hold (PostgreSQL's smallint, bigint and integer; most specific first):
# a larger number typed into a URL (/admin/users/100000000000000000000000) matches no row
# instead of failing in the database driver.
INTEGER_BITS = ((SmallInteger, 15), (BigInteger, 63), (Integer, 31))


def _representable(model, column: str, value) -> bool:
    if isinstance(value, str):  # no stored value holds a control character (checks.plain_text)
        return checks.control_character(value) is None
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    column_type = getattr(getattr(model, column), "type", None)
    bits = next((bits for kind, bits in INTEGER_BITS if isinstance(column_type, kind)), None)
    return bits is None or -(2**bits) <= value < 2**bits


def find(model, **criteria):
    """The one row of ``model`` matching ``criteria`` (columns = values), or None — also for a
    value no column can hold (an id of 10²³, or with a NUL, in a URL is not found, not a crash)."""
    if not criteria:
        raise TypeError("find needs at least one column to match")
    if not all(_representable(model, column, value) for column, value in criteria.items()):
        return None
    return db.session.scalar(select(model).filter_by(**criteria))


def load_or_404(model, **criteria):
    """The one row of ``model`` matching ``criteria`` (columns = values), or 404."""
    obj = find(model, **criteria)
    if obj is None:
        abort(404)
    return obj


@dataclass(frozen=True)
class RecordPage:
    kind: str
    endpoint: str
    argument: str
    attribute: str | None = None  # the record's attribute in the URL, when it is not the reference


RECORD_PAGES: dict[str, RecordPage] = {}


def register_record(kind: str, endpoint: str, argument: str, *, attribute: str | None = None) -> None:
    """``kind`` records have their page at ``endpoint`` with the reference as ``argument`` — or,
    with ``attribute``, with that attribute of the record (``record_url`` then takes the record)."""
    RECORD_PAGES[kind] = RecordPage(kind, endpoint, argument, attribute)


def record_url(kind: str, ref) -> str | None:
    """The page of a record (None when there is no reference or no page of that kind): ``ref`` is
    the reference, or for a kind registered with an ``attribute`` the record (or a row) holding it."""
    page = RECORD_PAGES.get(kind)
    if page is None or ref is None or ref == "":
        return None
    if page.attribute is not None:
        if isinstance(ref, str):
            raise TypeError(f"record_url({kind!r}, …) takes the record, not its reference (which stays out of URLs)")
        ref = getattr(ref, page.attribute)
        if ref is None or ref == "":
            return None
    values = {page.argument: ref}
    if has_request_context():
        return url_for(page.endpoint, **values)
    adapter = current_app.url_map.bind(
        current_app.config.get("SERVER_NAME") or "localhost",
        script_name=current_app.config.get("APPLICATION_ROOT") or "/",
    )
    return adapter.build(page.endpoint, values)
