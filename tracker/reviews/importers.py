"""children.csv, care_periods.csv, reviews.csv and iro_contacts.csv (interchange.md §1).

Rows are upserted by their id (care periods, which have no id column, by child_id +
start_date). A row whose record was removed in the tracker (recorded by mistake: a review, an
IRO contact, a care period with no period in force on that start date) is left removed, never
brought back by a later load of the same file: the import counts those rows (``removed_note``).
Each row is checked by the operations' own rules (``operations.check_child``,
``check_period_dates``, ``check_review``, ``check_contact``); the rules across rows are the
same SQL conditions the operations use (``chain.overlaps``, ``chain.covers``), run set-based
in ``finish``: overlapping care periods of one child, a review outside every care period of
its child (domain.md §4). A review new to the tracker that is its child's latest ends the
child's planned review date, as recording it on the web does (a re-load of known reviews never
does: the plan may be newer than they are).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, select, tuple_
from sqlalchemy.orm import aliased

from tracker.core import interchange
from tracker.core.interchange import ImportContext, Importer, ImportProblem, RowReader
from tracker.extensions import db
from tracker.reviews import operations, rules903, ssda903
from tracker.reviews.chain import in_period, overlaps
from tracker.reviews.models import CarePeriod, Child, IroContact, Review

interchange.register_ref_kind("child", Child.child_id)
# the SSDA903 REVIEWS columns (tracker.reviews.rules903) as reviews.csv names them
REVIEWS_COLUMNS = {"CHILD": "child_id", "DOB": "child_id", "REVIEW": "review_date", "REVIEW_CODE": "participation_code"}


def _child_pks(child_ids) -> dict[str, int]:
    ids = sorted(set(child_ids))
    found: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        found.update(
            dict(
                db.session.execute(select(Child.child_id, Child.id).where(Child.child_id.in_(ids[i : i + 500])))
                .tuples()
                .all()
            )
        )
    return found


def removed_note(ctx: ImportContext, filename: str, count: int) -> None:
    """Tell the user how many rows named records removed in the tracker (left removed)."""
    if count:
        ctx.notes[f"{filename}: rows of records removed in the tracker, left removed"] = count


def _upsert(model, key_attr: str, records: list[dict], fields: tuple[str, ...]) -> int:
    """Insert or update the records by ``key_attr``; one removed in the tracker is left as it is.
    Returns how many rows were left so."""
    column = getattr(model, key_attr)
    keys = [r[key_attr] for r in records]
    existing = {getattr(o, key_attr): o for o in db.session.scalars(select(model).where(column.in_(keys)))}
    left_removed = 0
    for rec in records:
        obj = existing.get(rec[key_attr])
        if obj is None:
            obj = model(**{key_attr: rec[key_attr]})
            db.session.add(obj)
        elif getattr(obj, "removed_at", None) is not None:
            left_removed += 1
            continue
        for f in fields:
            setattr(obj, f, rec[f])
    return left_removed


class ChildrenImporter(Importer):
    filename = "children.csv"
    key = "child_id"

    def parse(self, r: RowReader) -> dict | None:
        rec = {
            "child_id": r.id("child_id", required=True),
            "first_name": r.text("first_name", max_len=100),
            "last_name": r.text("last_name", max_len=100),
            "date_of_birth": r.date("date_of_birth", required=True),
            "gender": r.text("gender", max_len=40),
            "ethnicity": r.text("ethnicity", max_len=100),
            "uasc": r.boolean("uasc"),
            "iro_officer_id": r.ref("iro_officer_id", "officer"),
            "iro_contact_expected": r.boolean("iro_contact_expected", default=True),
        }
        if r.ok:
            r.check(operations.check_child, rec["date_of_birth"])
        return rec if r.ok else None

    def write(self, records, ctx) -> None:
        _upsert(Child, "child_id", records, operations.CHILD_FIELDS[1:])  # all but the id


def period_key(child_id: str, start) -> str:
    return f"{child_id}|{start.isoformat()}"


class CarePeriodsImporter(Importer):
    filename = "care_periods.csv"
    key = "period"  # child_id + start_date (the file has no id column)

    def parse(self, r: RowReader) -> dict | None:
        rec = {
            "child_id": r.ref("child_id", "child", required=True),
            "start_date": r.date("start_date", required=True),
            "end_date": r.date("end_date"),
            "legal_status": r.text("legal_status", max_len=10),
        }
        if r.ok:
            r.check(operations.check_period_dates, rec["start_date"], rec["end_date"])
        if not r.ok:
            return None
        rec["period"] = period_key(rec["child_id"], rec["start_date"])
        return rec

    def write(self, records, ctx) -> None:
        pks = _child_pks(r["child_id"] for r in records)
        wanted = [(pks[r["child_id"]], r["start_date"]) for r in records]
        existing, removed = {}, set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            for p in db.session.scalars(
                select(CarePeriod).where(tuple_(CarePeriod.child_pk, CarePeriod.start_date).in_(chunk))
            ):
                if p.removed_at is None:
                    existing[(p.child_pk, p.start_date)] = p
                else:
                    removed.add((p.child_pk, p.start_date))
        left_removed = 0
        for rec in records:
            key = (pks[rec["child_id"]], rec["start_date"])
            period = existing.get(key)
            if period is None and key in removed:  # removed in the tracker, none in force since
                left_removed += 1
                continue
            if period is None:
                period = CarePeriod(child_pk=key[0], start_date=rec["start_date"])
                db.session.add(period)
            period.end_date = rec["end_date"]
            period.legal_status = rec["legal_status"]
        removed_note(ctx, self.filename, left_removed)

    def finish(self, ctx: ImportContext) -> None:
        # Overlapping periods of one child (the operations' rule ``overlaps``): one self-join.
        a, b = aliased(CarePeriod), aliased(CarePeriod)
        rows = db.session.execute(
            select(Child.child_id, a.start_date, a.end_date, b.start_date)
            .join(a, a.child_pk == Child.id)
            .join(
                b,
                and_(
                    b.removed_at.is_(None),
                    b.child_pk == a.child_pk,
                    b.start_date > a.start_date,
                    overlaps(b.start_date, b.end_date, a),
                ),
            )
            .order_by(Child.child_id, a.start_date)
        ).all()
        for child_id, a_start, a_end, b_start in rows:
            line = ctx.line_for(self.filename, period_key(child_id, b_start)) or ctx.line_for(
                self.filename, period_key(child_id, a_start)
            )
            ctx.error(
                self.filename,
                line,
                "start_date",
                f"the care period of {child_id} from {b_start.isoformat()} overlaps its period from {a_start.isoformat()}"
                f" ({'no end date' if a_end is None else 'ending ' + a_end.isoformat()})",
            )
        # Reviews already in the database that a changed period would leave outside every period.
        _reviews_outside_periods(ctx, self.filename, only_known_lines=False)


def _reviews_outside_periods(ctx: ImportContext, filename: str, only_known_lines: bool) -> None:
    rows = db.session.execute(
        select(Review.review_id, Child.child_id, Review.review_date)
        .join(Child, Child.id == Review.child_pk)
        .where(Review.removed_at.is_(None), ~exists().where(in_period()))
        .order_by(Review.review_id)
    ).all()
    for review_id, child_id, review_date in rows:
        line = ctx.line_for("reviews.csv", review_id)
        if filename == "reviews.csv" and line is not None:
            ctx.error(
                "reviews.csv",
                line,
                "review_date",
                f"{review_date.isoformat()} is outside every care period of {child_id}",
            )
        elif not only_known_lines:
            ctx.error(
                filename,
                None,
                "end_date",
                f"review {review_id} of {child_id} on {review_date.isoformat()} would be outside every care period",
            )


class ReviewsImporter(Importer):
    filename = "reviews.csv"
    key = "review_id"
    reference = "review"

    def parse(self, r: RowReader) -> dict | None:
        rec = {
            "review_id": r.id("review_id", required=True),
            "child_id": r.ref("child_id", "child", required=True),
            "review_date": r.date("review_date", required=True),
            "participation_code": r.raw("participation_code") or None,
            "recommendations_date": r.date("recommendations_date"),
            "minutes_date": r.date("minutes_date"),
            "officer_id": r.ref("officer_id", "officer"),
            "advocate": r.boolean("advocate"),
        }
        if r.ok:
            r.check(
                operations.check_review,
                rec["review_date"],
                rec["participation_code"],
                rec["recommendations_date"],
                rec["minutes_date"],
            )
        return rec if r.ok else None

    def write(self, records, ctx) -> None:
        pks = _child_pks(r["child_id"] for r in records)
        for rec in records:
            rec["child_pk"] = pks[rec["child_id"]]
        known = set(
            db.session.scalars(select(Review.review_id).where(Review.review_id.in_(r["review_id"] for r in records)))
        )
        left_removed = _upsert(
            Review,
            "review_id",
            records,
            (
                "child_pk",
                "review_date",
                "participation_code",
                "recommendations_date",
                "minutes_date",
                "officer_id",
                "advocate",
            ),
        )
        removed_note(ctx, self.filename, left_removed)
        newest: dict[int, object] = {}  # child pk -> the latest date of the reviews new to the tracker
        for rec in records:
            if rec["review_id"] not in known:
                newest[rec["child_pk"]] = max(newest.get(rec["child_pk"], rec["review_date"]), rec["review_date"])
        ended = _end_plans_held(newest)
        if ended:
            ctx.notes[f"{self.filename}: planned reviews held (their plans ended)"] = ended
        years = ctx.scratch.setdefault(self.filename, set())
        years.update(rules903.year_of(rec["review_date"]) for rec in records)

    def finish(self, ctx: ImportContext) -> None:
        _reviews_outside_periods(ctx, self.filename, only_known_lines=False)

    def after_all(self, ctx: ImportContext) -> None:
        """The file's reviews that break a DfE rule (with every file written: a child's date of
        birth may come in children.csv) are imported, and listed as warnings."""
        found = []
        for year in sorted(ctx.scratch.get(self.filename, ())):
            for failure in ssda903.failures(year):
                line = ctx.line_for(self.filename, failure.review_id)
                if line is not None:
                    column = REVIEWS_COLUMNS.get(failure.column, failure.column)
                    found.append(
                        ImportProblem(self.filename, line, column, f"DfE rule {failure.rule}: {failure.message}")
                    )
        ctx.warnings.extend(sorted(found, key=lambda w: w.line))


def _end_plans_held(newest: dict) -> int:
    """End the plan of each child whose newest imported review is their latest in force (the
    review the QARO planned is held); returns how many plans ended."""
    if not newest:
        return 0
    db.session.flush()
    latest = dict(
        db.session.execute(
            select(Review.child_pk, func.max(Review.review_date))
            .where(Review.child_pk.in_(newest), Review.removed_at.is_(None))
            .group_by(Review.child_pk)
        ).all()
    )
    planned = db.session.scalars(
        select(Child).where(Child.id.in_(newest), Child.planned_review_date.is_not(None))
    ).all()
    ended = [child for child in planned if latest.get(child.id) is not None and newest[child.id] >= latest[child.id]]
    for child in ended:
        child.planned_review_date = None  # versioned: a plan form open on it meets the conflict page
    return len(ended)


class IroContactsImporter(Importer):
    filename = "iro_contacts.csv"
    key = "contact_id"
    reference = "iro_contact"

    def parse(self, r: RowReader) -> dict | None:
        rec = {
            "contact_id": r.id("contact_id", required=True),
            "child_id": r.ref("child_id", "child", required=True),
            "contact_date": r.date("contact_date", required=True),
            "contact_type": r.raw("contact_type") or None,
            "officer_id": r.ref("officer_id", "officer"),
        }
        if r.ok:
            r.check(operations.check_contact, rec["contact_date"], rec["contact_type"])
        return rec if r.ok else None

    def write(self, records, ctx) -> None:
        pks = _child_pks(r["child_id"] for r in records)
        for rec in records:
            rec["child_pk"] = pks[rec["child_id"]]
        fields = ("child_pk", "contact_date", "contact_type", "officer_id")
        removed_note(ctx, self.filename, _upsert(IroContact, "contact_id", records, fields))


for _importer in (ChildrenImporter(), CarePeriodsImporter(), ReviewsImporter(), IroContactsImporter()):
    interchange.register_importer(_importer)
