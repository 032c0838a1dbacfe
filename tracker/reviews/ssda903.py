"""SSDA903 (the DfE children-looked-after return): the REVIEWS and HEADER tables out, their
failures of the DfE's review rules (``tracker.reviews.rules903``), and a return's header.csv,
episodes.csv and reviews.csv in (interchange.md §4).

Dates are dd/mm/yyyy. Import is one transaction, all-or-nothing, with every problem
located as ``file:line: column: message``. Contiguous episodes (an episode whose DECOM
equals the previous episode's DEC) make one care period; reviews get the id
``903-<CHILD>-<yyyymmdd>``. A care period or a review removed in the tracker (recorded by
mistake) is left removed and counted, never brought back by the return.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from tracker.core import audit, checks
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.core.interchange import ImportProblem
from tracker.extensions import db
from tracker.reviews import rules903
from tracker.reviews.chain import in_period, overlaps
from tracker.reviews.models import CarePeriod, Child, ParticipationCode, Review

REVIEWS_HEADER = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
HEADER_HEADER = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
SEX = {"1": "Male", "2": "Female"}
# The DfE's ethnicity codes and the labels the tracker holds (children.csv, the child form).
ETHNIC = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage", "WROM": "Gypsy/Roma",
    "WOTH": "Any other White background", "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
    "MWAS": "White and Asian", "MOTH": "Any other mixed background", "AIND": "Indian", "APKN": "Pakistani",
    "ABAN": "Bangladeshi", "AOTH": "Any other Asian background", "BCRB": "Caribbean", "BAFR": "African",
    "BOTH": "Any other Black background", "CHNE": "Chinese", "OOTH": "Any other ethnic group",
    "REFU": "Refused", "NOBT": "Information not yet obtained",
}  # fmt: skip
_ETHNIC_CODES = {label.casefold(): code for code, label in ETHNIC.items()} | {c.casefold(): c for c in ETHNIC}
_SEX_CODES = {label.casefold(): code for code, label in SEX.items()}


def fmt(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def export_rows(start: dt.date, end: dt.date, officers=None) -> list[list]:
    """Header plus one row per review held in [start, end] (written with ``write_csv``, which
    makes every cell spreadsheet-safe); ``officers`` (officer ids, or a select of them) keeps the
    children those QAROs hold: a caseload, a team."""
    rows = db.session.execute(_reviews_in(start, end, officers)).all()
    return [list(REVIEWS_HEADER)] + [
        [child_id, fmt(dob), fmt(held), code or ""] for child_id, dob, held, code, _ in rows
    ]


def _reviews_in(start: dt.date, end: dt.date, officers=None):
    query = (
        select(Child.child_id, Child.date_of_birth, Review.review_date, Review.participation_code, Review.review_id)
        .join(Child, Child.id == Review.child_pk)
        .where(Review.removed_at.is_(None), Review.review_date >= start, Review.review_date <= end)
        .order_by(Child.child_id, Review.review_date, Review.review_id)
    )
    return query if officers is None else query.where(Child.iro_officer_id.in_(officers))


def _looked_after_in(start: dt.date, end: dt.date, officers=None, child=Child):
    """The children with a care period in force sharing a day with [start, end], and those periods'
    legal statuses (``child``: the child's columns wanted, the whole child by default)."""
    query = (
        select(*(child if isinstance(child, tuple) else (child,)), CarePeriod.legal_status)
        .join(CarePeriod, CarePeriod.child_pk == Child.id)
        .where(overlaps(start, end))
        .order_by(Child.child_id)
    )
    return query if officers is None else query.where(Child.iro_officer_id.in_(officers))


def tables_for_year(year: int, officers=None) -> rules903.Tables:
    """The HEADER and REVIEWS tables the tracker would return for collection year ``year`` (of
    the children ``officers`` hold, when given), with each child's legal statuses in the year."""
    start, end = rules903.collection_year(year)
    header: dict[str, dt.date | None] = {}
    statuses: dict[str, set[str | None]] = {}
    columns = (Child.child_id, Child.date_of_birth)  # columns, not objects: a year holds thousands
    for child_id, dob, legal_status in db.session.execute(_looked_after_in(start, end, officers, columns)):
        header[child_id] = dob
        statuses.setdefault(child_id, set()).add(legal_status)
    reviews = [
        rules903.ReviewRow(child_id, dob, held, code, review_id)
        for child_id, dob, held, code, review_id in db.session.execute(_reviews_in(start, end, officers))
    ]
    return rules903.Tables(header, reviews, statuses)


def failures(year: int, officers=None) -> list[rules903.Failure]:
    """Every failure of collection year ``year``'s review rules in the tracker's records."""
    return rules903.check(tables_for_year(year, officers), year)


def failures_between(start: dt.date, end: dt.date, officers=None) -> list[rules903.Failure]:
    """The failures of the reviews held in [start, end], each by its collection year's rules."""
    return [
        f
        for year in range(rules903.year_of(start), rules903.year_of(end) + 1)
        for f in failures(year, officers)
        if f.review_date is None or start <= f.review_date <= end
    ]


def header_rows(start: dt.date, end: dt.date, officers=None) -> list[list]:
    """The HEADER table (header row first) of the children looked after in [start, end]: what the
    tracker holds (sex, date of birth, ethnicity as the DfE's codes), blank where it holds nothing
    (UPN, MOTHER, MC_DOB)."""
    rows, seen = [list(HEADER_HEADER)], set()
    for child, _status in db.session.execute(_looked_after_in(start, end, officers)):
        if child.child_id in seen:
            continue
        seen.add(child.child_id)
        sex = _SEX_CODES.get((child.gender or "").casefold(), "")
        ethnic = _ETHNIC_CODES.get((child.ethnicity or "").strip().casefold(), "")
        rows.append([child.child_id, sex, fmt(child.date_of_birth), ethnic, "", "", ""])
    return rows


@dataclass
class Result903:
    problems: list[ImportProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[ImportProblem] = field(default_factory=list)  # rows imported that break a DfE rule

    @property
    def ok(self) -> bool:
        return not self.problems


class _File:
    def __init__(self, result: Result903, directory: Path, name: str, required: tuple[str, ...]):
        self.result, self.name = result, name
        self.rows: list[tuple[int, dict]] = []
        path = directory / name
        if not path.is_file():
            self.error(None, "file", "is missing")
            return
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            for col in required:
                if col not in header:
                    self.error(1, col, "required column is missing")
            if any(col not in header for col in required):
                return
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                cells = {k.strip(): (v or "").strip() for k, v in row.items() if k and isinstance(v, str)}
                if self.plain_text(reader.line_num, cells):
                    self.rows.append((reader.line_num, cells))

    def plain_text(self, line: int, cells: dict) -> bool:
        """No cell holds NUL or another control character (the rule of every import and form)."""
        ok = True
        for column, value in cells.items():
            found = checks.control_character(value)
            if found is not None:
                self.error(line, column, f"must not contain control characters ({found} found)")
                ok = False
        return ok

    def error(self, line, column, message) -> None:
        self.result.problems.append(ImportProblem(self.name, line, column, message))

    def date(self, line: int, row: dict, col: str, required: bool = False, not_future: bool = False) -> dt.date | None:
        value = row.get(col, "")
        if not value:
            if required:
                self.error(line, col, "is required")
            return None
        try:
            parsed = dt.datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            self.error(line, col, f"{value!r} is not a date in the form dd/mm/yyyy")
            return None
        if not_future and parsed > today():
            self.error(line, col, f"{value} is after today, but it must already have happened")
            return None
        try:
            checks.date_storable(parsed, col, value)
        except DomainError as exc:
            self.error(line, col, exc.message)
            return None
        return parsed


def import_dir(directory: Path | str, actor: str = "cli:import-903") -> Result903:
    """Import header.csv, episodes.csv and reviews.csv of an SSDA903 return: all or nothing."""
    directory = Path(directory)
    result = Result903()
    header = _File(result, directory, "header.csv", ("CHILD", "DOB"))
    episodes = _File(result, directory, "episodes.csv", ("CHILD", "DECOM"))
    reviews = _File(result, directory, "reviews.csv", ("CHILD", "REVIEW"))
    if result.problems:
        return result

    children: dict[str, dict] = {}
    for line, row in header.rows:
        child_id = row.get("CHILD", "")
        if not child_id:
            header.error(line, "CHILD", "is required")
            continue
        if child_id in children:
            header.error(line, "CHILD", f"{child_id!r} appears twice in the file")
            continue
        try:
            checks.reference(child_id, "CHILD", repr(child_id))
        except DomainError as exc:
            header.error(line, "CHILD", exc.message)
            continue
        dob = header.date(line, row, "DOB", required=True, not_future=True)
        sex = row.get("SEX", "")
        if sex and sex not in SEX:
            header.error(line, "SEX", f"{sex!r} is not a known code (expected 1 or 2)")
        ethnic = row.get("ETHNIC", "")
        children[child_id] = {
            "line": line,
            "dob": dob,
            "gender": SEX.get(sex),
            "ethnicity": ETHNIC.get(ethnic.upper(), ethnic) or None,
        }
    known = set(children) | set(db.session.scalars(select(Child.child_id)))

    # Episodes → care periods: contiguous episodes (DECOM = previous DEC) continue one period.
    by_child: dict[str, list] = {}
    for line, row in episodes.rows:
        child_id = row.get("CHILD", "")
        if child_id not in known:
            episodes.error(line, "CHILD", f"{child_id!r} is in neither header.csv nor the database")
            continue
        decom = episodes.date(line, row, "DECOM", required=True, not_future=True)
        dec = episodes.date(line, row, "DEC", not_future=True)
        if decom and dec and dec < decom:
            episodes.error(line, "DEC", f"{fmt(dec)} is before DECOM {fmt(decom)}")
            continue
        if decom:
            by_child.setdefault(child_id, []).append((decom, dec, row.get("LS") or None, line))
    periods: list[dict] = []
    for child_id, eps in by_child.items():
        eps.sort()
        current = None
        for decom, dec, ls, line in eps:
            if current is not None and current["end"] is not None and decom == current["end"]:
                current["end"], current["ls"] = dec, ls or current["ls"]
                continue
            current = {"child_id": child_id, "start": decom, "end": dec, "ls": ls, "line": line}
            periods.append(current)

    review_rows = []
    for line, row in reviews.rows:
        child_id = row.get("CHILD", "")
        if child_id not in known:
            reviews.error(line, "CHILD", f"{child_id!r} is in neither header.csv nor the database")
            continue
        held = reviews.date(line, row, "REVIEW", required=True, not_future=True)
        dob = reviews.date(line, row, "DOB")
        code = row.get("REVIEW_CODE") or None
        if code is not None and code not in ParticipationCode.codes():
            reviews.error(
                line,
                "REVIEW_CODE",
                f"{code!r} is not a known code (expected one of: {', '.join(ParticipationCode.codes())})",
            )
            continue
        if held and len(f"903-{child_id}-yyyymmdd") > 40:
            reviews.error(line, "CHILD", f"{child_id!r} is too long for the review id 903-{child_id}-yyyymmdd (40)")
        elif held:
            review_rows.append(
                {
                    "review_id": f"903-{child_id}-{held.strftime('%Y%m%d')}",
                    "child_id": child_id,
                    "review_date": held,
                    "code": code,
                    "dob": dob,
                    "line": line,
                }
            )
    seen: dict[str, int] = {}
    for r in review_rows:
        if r["review_id"] in seen:
            reviews.error(
                r["line"],
                "REVIEW",
                f"a second review of {r['child_id']} on the same day (first on line {seen[r['review_id']]})",
            )
        seen.setdefault(r["review_id"], r["line"])
    if result.problems:
        return result

    try:
        existing = {c.child_id: c for c in db.session.scalars(select(Child))}
        for child_id, h in children.items():
            child = existing.get(child_id)
            if child is None:
                child = Child(child_id=child_id, iro_contact_expected=True, uasc=False)
                db.session.add(child)
                existing[child_id] = child
            child.date_of_birth = h["dob"]
            child.gender = h["gender"] or child.gender
            child.ethnicity = h["ethnicity"] or child.ethnicity
        db.session.flush()
        period_lines, left_removed = {}, 0
        for p in periods:
            child = existing[p["child_id"]]
            rows = db.session.scalars(
                select(CarePeriod)
                .where(CarePeriod.child_pk == child.id, CarePeriod.start_date == p["start"])
                .order_by(CarePeriod.removed_at.is_not(None))  # the period in force first
            ).all()
            row = rows[0] if rows else None
            if row is not None and row.removed_at is not None:  # removed in the tracker: left removed
                left_removed += 1
                continue
            if row is None:
                row = CarePeriod(child_pk=child.id, start_date=p["start"])
                db.session.add(row)
            row.end_date, row.legal_status = p["end"], p["ls"]
            period_lines[(child.id, p["start"])] = p["line"]
        db.session.flush()
        a, b = aliased(CarePeriod), aliased(CarePeriod)
        for child_pk, a_start, b_start in db.session.execute(
            select(a.child_pk, a.start_date, b.start_date).join(
                b,
                and_(
                    b.removed_at.is_(None),
                    b.child_pk == a.child_pk,
                    b.start_date > a.start_date,
                    overlaps(b.start_date, b.end_date, a),
                ),
            )
        ):
            episodes.error(
                period_lines.get((child_pk, b_start)) or period_lines.get((child_pk, a_start)),
                "DECOM",
                f"the care period from {fmt(b_start)} overlaps the period from {fmt(a_start)}",
            )
        review_lines = {}
        for r in review_rows:
            row = db.session.scalar(select(Review).where(Review.review_id == r["review_id"]))
            if row is not None and row.removed_at is not None:  # removed in the tracker: left removed
                left_removed += 1
                continue
            if row is None:
                row = Review(review_id=r["review_id"], advocate=False)
                db.session.add(row)
            row.child_pk, row.review_date, row.participation_code = (
                existing[r["child_id"]].id,
                r["review_date"],
                r["code"],
            )
            review_lines[r["review_id"]] = r["line"]
        db.session.flush()
        for review_id, review_date in db.session.execute(
            select(Review.review_id, Review.review_date)
            .where(Review.removed_at.is_(None), ~exists().where(in_period()))
            .order_by(Review.review_id)
        ):
            reviews.error(
                review_lines.get(review_id),
                "REVIEW",
                f"{fmt(review_date)} ({review_id}) is outside every care period of the child",
            )
        if result.problems:
            db.session.rollback()
            return result
        result.warnings = _rule_warnings(children, periods, review_rows)
        result.counts = {"children": len(children), "care periods": len(periods), "reviews": len(review_rows)}
        if left_removed:
            result.counts["removed in the tracker, left removed"] = left_removed
        audit.record(
            "ssda903.import",
            object_type="import",
            summary="import-903: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()),
            after={"counts": result.counts},
            actor=actor,
        )
        db.session.flush()
        return result
    except Exception:
        db.session.rollback()
        raise


def _rule_warnings(children: dict, periods: list[dict], review_rows: list[dict]) -> list[ImportProblem]:
    """The return's reviews that break the DfE's review rules of their collection year, over the
    return's own tables (HEADER, REVIEWS, and EPISODES' legal statuses): loaded, and listed."""
    by_year: dict[int, list[dict]] = {}
    for r in review_rows:
        by_year.setdefault(rules903.year_of(r["review_date"]), []).append(r)
    header = {child_id: h["dob"] for child_id, h in children.items()}
    found = []
    for year, rows in sorted(by_year.items()):
        start, end = rules903.collection_year(year)
        statuses: dict[str, set[str | None]] = {}
        for p in periods:
            if p["start"] <= end and (p["end"] is None or p["end"] >= start):
                statuses.setdefault(p["child_id"], set()).add(p["ls"])
        tables = rules903.Tables(
            header,
            [rules903.ReviewRow(r["child_id"], r["dob"], r["review_date"], r["code"], line=r["line"]) for r in rows],
            statuses,
        )
        found += [
            ImportProblem("reviews.csv", f.line, f.column, f"DfE rule {f.rule}: {f.message}")
            for f in rules903.check(tables, year)
        ]
    return sorted(found, key=lambda w: w.line)
