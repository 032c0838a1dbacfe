"""Read side of the reviews feature: the set-based flags behind figures, due items and lists.
Every query keeps the reviews, IRO contacts and care periods in force (``removed_at IS NULL``:
one removed by mistake is no part of any of them; ``removed_records`` lists them for managers).

``review_flags`` and ``child_flags`` put one 0/1 column per condition on each review held in
a period / each child looked after on a date. The indicators (kpis.py) sum them, the
drill-downs list the rows where a flag is 1, the caseload pages group them by QARO: one
definition of each condition for every screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, and_, case, func, literal, or_, select

from tracker.core import removal
from tracker.core.pagination import Page, paginate
from tracker.core.timescales import deadline_sql, due_state, max_span_days
from tracker.db import like_pattern
from tracker.extensions import db
from tracker.reviews import chain
from tracker.reviews.models import PARTICIPATING, CarePeriod, Child, IroContact, ParticipationCode, Review


def _flag(condition) -> object:
    return case((condition, 1), else_=0)


def review_flags(start: dt.date, end: dt.date, as_of: dt.date, officer: str | None = None):
    """Subquery: one row per review held in [start, end] (and on or before ``as_of``), with
    flags. Dates after ``as_of`` are treated as not yet happened (kpis.md preamble)."""
    last = min(end, as_of)
    rc = chain.review_chain(as_of, start=start, end=last)  # the reviews dated in the period only
    rec = and_(Review.recommendations_date.is_not(None), Review.recommendations_date <= as_of)
    mins = and_(Review.minutes_date.is_not(None), Review.minutes_date <= as_of)
    code = Review.participation_code
    cols = [
        Review.review_id.label("review_id"),
        Child.child_id.label("child_id"),
        Review.review_date.label("review_date"),
        Review.officer_id.label("officer_id"),
        rc.c.due_date.label("due_date"),
        literal(1).label("held"),
        _flag(and_(rc.c.due_date.is_not(None), Review.review_date <= rc.c.due_date)).label("in_timescale"),
        _flag(rec).label("recommendations_issued"),
        _flag(
            and_(rec, Review.recommendations_date <= deadline_sql("review_recommendations", Review.review_date))
        ).label("recommendations_in_timescale"),
        _flag(mins).label("minutes_completed"),
        _flag(and_(mins, Review.minutes_date <= deadline_sql("review_minutes", Review.review_date))).label(
            "minutes_in_timescale"
        ),
        _flag(code.in_(PARTICIPATING)).label("participating"),
        _flag(or_(code.is_(None), code != "PN0")).label("participation_counted"),
        _flag(code.is_(None)).label("code_not_known"),
    ] + [_flag(code == c).label(f"code_{c}") for c in ParticipationCode]
    q = (
        select(*cols)
        .select_from(Review)
        .join(Child, Child.id == Review.child_pk)
        .outerjoin(rc, rc.c.review_pk == Review.id)
        .where(Review.removed_at.is_(None), Review.review_date >= start, Review.review_date <= last)
    )
    if officer is not None:
        q = q.where(Review.officer_id == officer)
    return q.subquery("review_flags")


def recent_contacts(as_of: dt.date, officer: str | None = None):
    """Subquery: per child (of the QARO ``officer``, when given), the last IRO contact dated on or
    before ``as_of`` within the ``iro_contact`` rule's reach (an indexed range: the cost follows
    the recent contacts)."""
    query = select(
        IroContact.child_pk.label("child_pk"), func.max(IroContact.contact_date).label("last_contact")
    ).where(
        IroContact.removed_at.is_(None),
        IroContact.contact_date <= as_of,
        IroContact.contact_date >= as_of - dt.timedelta(days=max_span_days("iro_contact")),
    )
    if officer is not None:
        query = query.where(IroContact.child_pk.in_(select(Child.id).where(Child.iro_officer_id == officer)))
    return query.group_by(IroContact.child_pk).subquery("recent_contacts")


def contact_6m(as_of: dt.date, last_contact) -> object:
    """kpis.md §2: an IRO contact dated c ≤ A with c + 6 months (the iro_contact rule) ≥ A —
    tested on the last such contact (``recent_contacts``), as a later contact's deadline is
    never earlier."""
    return and_(last_contact.is_not(None), deadline_sql("iro_contact", last_contact) >= as_of)


def last_contact_in_period(as_of: dt.date):
    """Per child looked after on ``as_of``: the last IRO contact since its current period
    started (dated ≤ as_of), the period start, and the next contact due date."""
    cur = chain.current_next_due(as_of)
    last = (
        select(func.max(IroContact.contact_date))
        .where(
            IroContact.removed_at.is_(None),
            IroContact.child_pk == cur.c.child_pk,
            IroContact.contact_date >= cur.c.start_date,
            IroContact.contact_date <= as_of,
        )
        .scalar_subquery()
    )
    inner = select(cur.c.child_pk, cur.c.start_date, last.label("last_contact")).subquery("last_contact")
    return select(
        inner.c.child_pk,
        inner.c.start_date,
        inner.c.last_contact,
        deadline_sql("iro_contact", func.coalesce(inner.c.last_contact, inner.c.start_date)).label("contact_due"),
    ).subquery("contact_due")


def child_flags(as_of: dt.date, officer: str | None = None):
    """Subquery: one row per child looked after on ``as_of``, with its next review due date and flags."""
    cur = chain.current_next_due(as_of)
    recent = recent_contacts(as_of, officer)
    c6 = contact_6m(as_of, recent.c.last_contact)
    expected = Child.iro_contact_expected.is_(True)
    q = (
        select(
            Child.id.label("child_pk"),
            Child.child_id.label("child_id"),
            Child.iro_officer_id.label("officer_id"),
            cur.c.due_date.label("due_date"),
            cur.c.start_date.label("period_start"),
            literal(1).label("looked_after"),
            _flag(cur.c.due_date < as_of).label("review_overdue"),
            _flag(c6).label("contact_6m"),
            _flag(expected).label("contact_expected"),
            _flag(and_(expected, c6)).label("expected_contact_6m"),
        )
        .join(cur, cur.c.child_pk == Child.id)
        .outerjoin(recent, recent.c.child_pk == Child.id)
    )
    if officer is not None:
        q = q.where(Child.iro_officer_id == officer)
    return q.subquery("child_flags")


# --- caseload lists ------------------------------------------------------------------------

SORTS = {
    "due": "next review due (overdue first)",
    "name": "name",
    "ref": "reference",
    "contact": "next IRO contact due",
}


def _outstanding(as_of: dt.date, date_col, officer_col=None):
    """Per child (or per officer): reviews held on or before as-of whose date_col is not yet issued."""
    key = officer_col if officer_col is not None else Review.child_pk
    return (
        select(key.label("key"), func.count(Review.id).label("n"))
        .where(Review.removed_at.is_(None), Review.review_date <= as_of, or_(date_col.is_(None), date_col > as_of))
        .group_by(key)
        .subquery()
    )


def caseload(as_of: dt.date, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """A page of ``caseload_select`` (the caseload pages), each row with its due states."""
    found = paginate(caseload_select(as_of, **filters), page, per_page, scalars=False)
    return dataclasses.replace(found, items=[_with_states(dict(r._mapping), as_of) for r in found.items])


def caseload_rows(as_of: dt.date, **filters) -> list[dict]:
    """Every row of ``caseload_select`` (the caseload's download), each with its due states."""
    return [_with_states(dict(r), as_of) for r in db.session.execute(caseload_select(as_of, **filters)).mappings()]


def caseload_select(
    as_of: dt.date,
    *,
    officer: str | None = None,
    officers: list[str] | None = None,
    q: str | None = None,
    sort: str = "due",
) -> Select:
    """Children looked after on ``as_of`` (all children when searching), optionally one QARO's or
    a team's, with their next review due, outstanding recommendations/minutes and IRO contact,
    in the order asked for: the one query of the caseload's pages and of its download."""
    from tracker.auth.models import User

    cur = chain.current_next_due(as_of)
    lc = last_contact_in_period(as_of)
    recs = _outstanding(as_of, Review.recommendations_date)
    mins = _outstanding(as_of, Review.minutes_date)
    last_any = (
        select(IroContact.child_pk.label("child_pk"), func.max(IroContact.contact_date).label("last_contact"))
        .where(IroContact.removed_at.is_(None), IroContact.contact_date <= as_of)
        .group_by(IroContact.child_pk)
        .subquery()
    )
    qaro = aliased_user = User.__table__.alias("qaro")  # the allocated QARO's name
    contact_due = case((Child.iro_contact_expected.is_(True), lc.c.contact_due), else_=None)  # none when not expected
    cols = [
        Child.child_id,
        Child.first_name,
        Child.last_name,
        Child.iro_officer_id,
        Child.iro_contact_expected,
        aliased_user.c.name.label("officer_name"),
        cur.c.due_date,
        cur.c.start_date.label("period_start"),
        func.coalesce(recs.c.n, 0).label("recommendations_outstanding"),
        func.coalesce(mins.c.n, 0).label("minutes_outstanding"),
        last_any.c.last_contact,
        contact_due.label("contact_due"),
    ]
    stmt = (
        select(*cols)
        .select_from(Child)
        .outerjoin(qaro, qaro.c.officer_id == Child.iro_officer_id)
        .outerjoin(cur, cur.c.child_pk == Child.id)
        .outerjoin(lc, lc.c.child_pk == Child.id)
        .outerjoin(recs, recs.c.key == Child.id)
        .outerjoin(mins, mins.c.key == Child.id)
        .outerjoin(last_any, last_any.c.child_pk == Child.id)
    )
    if q:
        like = like_pattern(q)
        full = func.lower(func.coalesce(Child.first_name, "") + " " + func.coalesce(Child.last_name, ""))
        stmt = stmt.where(
            or_(
                func.lower(Child.child_id).like(like, escape="\\"),
                full.like(like, escape="\\"),
                func.lower(Child.last_name).like(like, escape="\\"),
            )
        )
    else:
        stmt = stmt.where(cur.c.child_pk.is_not(None))
    if officer is not None:
        stmt = stmt.where(Child.iro_officer_id == officer)
    if officers is not None:
        stmt = stmt.where(Child.iro_officer_id.in_(officers))
    order = {
        "due": [cur.c.due_date.is_(None), cur.c.due_date, Child.child_id],
        "name": [
            func.lower(func.coalesce(Child.last_name, "")),
            func.lower(func.coalesce(Child.first_name, "")),
            Child.child_id,
        ],
        "ref": [Child.child_id],
        "contact": [contact_due.is_(None), contact_due, Child.child_id],
    }[sort if sort in SORTS else "due"]
    return stmt.order_by(*order)


def _with_states(row: dict, as_of: dt.date) -> dict:
    """The due states of the next review and IRO contact (the one ``due_state``)."""
    row["review_state"] = due_state(row["due_date"], as_of) if row["due_date"] else None
    row["contact_state"] = due_state(row["contact_due"], as_of) if row["contact_due"] else None
    return row


def team_summary(as_of: dt.date, team: str | None = None) -> list[dict]:
    """Per QARO: caseload, overdue reviews, recommendations and minutes outstanding, IRO
    contacts overdue — the same definitions as the worklist kinds (due.py)."""
    from tracker.auth.models import User, UserRole

    cf = child_flags(as_of)
    lc = last_contact_in_period(as_of)
    children = (
        select(
            cf.c.officer_id.label("officer_id"),
            func.count().label("caseload"),
            func.sum(cf.c.review_overdue).label("reviews_overdue"),
            func.sum(case((and_(cf.c.contact_expected == 1, lc.c.contact_due < as_of), 1), else_=0)).label(
                "contacts_overdue"
            ),
        )
        .join(lc, lc.c.child_pk == cf.c.child_pk)
        .group_by(cf.c.officer_id)
        .subquery()
    )
    recs = _outstanding(as_of, Review.recommendations_date, Review.officer_id)
    mins = _outstanding(as_of, Review.minutes_date, Review.officer_id)
    officers = (
        select(User.officer_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "qaro", User.officer_id.is_not(None))
    )
    stmt = (
        select(
            User.officer_id,
            User.name,
            User.team,
            func.coalesce(children.c.caseload, 0).label("caseload"),
            func.coalesce(children.c.reviews_overdue, 0).label("reviews_overdue"),
            func.coalesce(recs.c.n, 0).label("recommendations_outstanding"),
            func.coalesce(mins.c.n, 0).label("minutes_outstanding"),
            func.coalesce(children.c.contacts_overdue, 0).label("contacts_overdue"),
        )
        .outerjoin(children, children.c.officer_id == User.officer_id)
        .outerjoin(recs, recs.c.key == User.officer_id)
        .outerjoin(mins, mins.c.key == User.officer_id)
        .where(or_(User.officer_id.in_(officers), children.c.caseload > 0))
        .order_by(User.team, User.name)
    )
    if team:
        stmt = stmt.where(User.team == team)
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def qaro_choices() -> list[tuple[str, str]]:
    """(officer_id, "Name (id)") of every active officer with the QARO or IRO manager role."""
    from tracker.auth.models import User, UserRole

    rows = db.session.execute(
        select(User.officer_id, User.name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(("qaro", "iro_manager")), User.officer_id.is_not(None), User.active.is_(True))
        .group_by(User.officer_id, User.name)
        .order_by(User.name)
    ).all()
    return [(oid, f"{name} ({oid})") for oid, name in rows]


def teams() -> list[str]:
    from tracker.auth.models import User

    return list(db.session.scalars(select(User.team).where(User.team.is_not(None)).distinct().order_by(User.team)))


def officers_in_team(team: str) -> list[str]:
    from tracker.auth.models import User

    return list(db.session.scalars(select(User.officer_id).where(User.team == team, User.officer_id.is_not(None))))


def contact_due(child_pk: int, as_of: dt.date) -> dt.date | None:
    """One child's next IRO contact due date (``last_contact_in_period``), or None when the
    child is not looked after on ``as_of``."""
    lc = last_contact_in_period(as_of)
    return db.session.scalar(select(lc.c.contact_due).where(lc.c.child_pk == child_pk))


def officer_names(officer_ids) -> dict[str, str]:
    """officer_id -> the officer's name, for the given ids (one query)."""
    from tracker.auth.models import User

    ids = {i for i in officer_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.officer_id, User.name).where(User.officer_id.in_(ids))).all())


def removed_records(child) -> list[removal.Removed]:
    """The child's reviews, IRO contacts and care periods removed by mistake, with who removed
    each, when and why (for the IRO manager): oldest removal first."""
    return removal.removed_records(
        [
            ("review", Review, Review.child_pk == child.id),
            ("iro_contact", IroContact, IroContact.child_pk == child.id),
            ("care_period", CarePeriod, CarePeriod.child_pk == child.id),
        ]
    )
