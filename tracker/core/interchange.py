"""``import-data``: the file importers registry, one transaction, located errors (interchange.md §1).

Each feature registers an ``Importer`` per CSV file. ``run(directory)`` reads the files in
dependency order, streaming rows in batches (memory stays bounded on a million-row file):
each row is validated with the ``RowReader`` helpers, references are checked in one query per
batch against the database (which already holds the earlier files of this import), good rows
are upserted by id, and after each file the importer's set-based cross-row checks run. Every
problem is collected as ``file:line: column: message``; if there is any, the whole import is
rolled back — the database is exactly as before — otherwise the command that ran it commits once.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select, text

from tracker.core import audit, checks, references
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.extensions import db

BATCH_SIZE = 2000
MAX_PROBLEMS = 1000  # listed in full; beyond this they are counted ("... and N more")
PROGRESS_MIN_BYTES = 2 * 1024 * 1024  # show a progress bar for files larger than this


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False


# The import format of interchange.md §1 (a public contract): every file, in dependency order,
# with its columns (True = required). Importers and the synthetic authority read it from here.
FILES: dict[str, tuple[Column, ...]] = {
    name: tuple(Column(c.lstrip("*"), c.startswith("*")) for c in columns.split())
    for name, columns in (
        ("officers.csv", "*officer_id *name email *roles team"),
        ("children.csv", "*child_id first_name last_name *date_of_birth gender ethnicity uasc iro_officer_id "
                         "iro_contact_expected"),
        ("care_periods.csv", "*child_id *start_date end_date legal_status"),
        ("reviews.csv", "*review_id *child_id *review_date participation_code recommendations_date minutes_date "
                        "officer_id advocate"),
        ("iro_contacts.csv", "*contact_id *child_id *contact_date contact_type officer_id"),
        ("escalations.csv", "*escalation_id *child_id raised_by *areas external_partner closed_date resolution"),
        ("escalation_stages.csv", "*escalation_id *stage *started_date response_date"),
        ("lado_contacts.csv", "*contact_id *contact_date referrer_agency *employer_sector subject_role subject_ref "
                              "employer_ref categories *disposition foster_carer_type foster_carer_agency"),
        ("lado_referrals.csv", "*referral_id *contact_id *referral_date lado_officer_id police_investigation outcome "
                               "outcome_date dbs_referral_date returned_to_panel child_informed closed_date"),
        ("lado_meetings.csv", "*meeting_id *referral_id *meeting_type *meeting_date"),
        ("lado_actions.csv", "*action_id *referral_id *description owner due_date completed_date"),
        ("panel_meetings.csv", "*meeting_id *panel *meeting_date *status members_present chair_present "
                               "social_worker_present independent_present"),
        ("panel_cases.csv", "*case_id *meeting_id *case_type subject_ref carer_type papers_sent_date recommendation "
                            "minutes_final_date adm_decision adm_decision_date lado_referral_id"),
        ("foster_households.csv", "*household_id *carer_type *approval_date end_date"),
        ("carer_reviews.csv", "*review_id *household_id *review_date to_panel"),
    )
}  # fmt: skip
KNOWN_FILES = tuple(FILES)


@dataclass(frozen=True)
class ImportProblem:
    filename: str
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line if self.line is not None else ''}: {self.column}: {self.message}"


@dataclass
class _PendingRef:
    kind: str
    value: str
    line: int
    column: str


class RowReader:
    """Validation helpers for one CSV row: each returns the parsed value or records an error.

    The rules of ``tracker.core.checks`` that every form applies too: no cell holds NUL or
    another control character (``cells_ok``, checked by the engine before ``parse``); an id
    is ``checks.reference`` (``id``, ``ref``); a date lies in the accepted range (``date``,
    ``checks.date_storable``; whether it may lie ahead is the operations' rule)."""

    def __init__(self, ctx: ImportContext, filename: str, line: int, row: dict[str, str]):
        self.ctx = ctx
        self.filename = filename
        self.line = line
        self.row = row
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.ctx.error(self.filename, self.line, column, message)

    def raw(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def cells_ok(self) -> bool:
        """No cell holds NUL or another control character (tab and line breaks are text):
        ``checks.plain_text``, the rule of every text field of a form. A row that fails is
        reported at each such cell and not read further."""
        for column, value in self.row.items():
            found = checks.control_character(value or "")
            if found is not None:
                self.error(column, f"must not contain control characters ({found} found)")
        return self.ok

    def text(self, column: str, required: bool = False, max_len: int | None = None) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "is required")
            return None
        if max_len and len(value) > max_len:
            self.error(column, f"is longer than {max_len} characters")
            return None
        return value

    def id(self, column: str, required: bool = False) -> str | None:
        """An id (the row's own, or a reference to another record's: ``ref``): ``checks.reference``,
        as a form checks an id typed into it. Ids become parts of URLs and pages."""
        value = self.text(column, required=required, max_len=40)
        if value is not None and not self.check(checks.reference, value, column, repr(value)):
            return None
        return value

    def date(self, column: str, required: bool = False, ahead: bool = False) -> dt.date | None:
        """A YYYY-MM-DD date in the accepted range (``checks.date_storable``: from 1900 to today,
        or to today + 2 years for a date that may lie ahead — ``ahead``, e.g. a due date).
        Whether a date must already have happened is the operations' rule (``r.check``)."""
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "is required")
            return None
        try:
            if len(value) != 10:
                raise ValueError
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.error(column, f"{value!r} is not a date in the form YYYY-MM-DD")
            return None
        if not self.check(checks.date_storable, parsed, column, value, ahead=ahead):
            return None
        return parsed

    def code(self, column: str, allowed: Iterable[str], required: bool = False) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "is required")
            return None
        allowed = tuple(allowed)
        if value not in allowed:
            self.error(column, f"{value!r} is not a known code (expected one of: {', '.join(allowed)})")
            return None
        return value

    def boolean(self, column: str, default: bool = False) -> bool:
        value = self.raw(column)
        if not value:
            return default
        if value in ("Y", "y"):
            return True
        if value in ("N", "n"):
            return False
        self.error(column, f"{value!r} is not Y or N")
        return default

    def integer(self, column: str, required: bool = False, minimum: int | None = None) -> int | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "is required")
            return None
        try:
            number = int(value)
        except ValueError:
            self.error(column, f"{value!r} is not a whole number")
            return None
        if minimum is not None and number < minimum:
            self.error(column, f"must be at least {minimum}")
            return None
        return number

    def multi(self, column: str, allowed: Iterable[str] | None = None, required: bool = False) -> list[str]:
        parts = [p.strip() for p in self.raw(column).split(";") if p.strip()]
        if not parts and required:
            self.error(column, "is required (one or more values separated by ;)")
            return []
        if allowed is not None:
            allowed = tuple(allowed)
            bad = [p for p in parts if p not in allowed]
            if bad:
                self.error(
                    column, f"unknown code(s) {', '.join(repr(b) for b in bad)} (expected: {', '.join(allowed)})"
                )
                return []
        return list(dict.fromkeys(parts))

    def check(self, rule, *args, columns: dict[str, str] | None = None, **kwargs) -> bool:
        """Apply one of the operations' validation functions to this row: the rule a form
        submission is checked by (``DomainError(message, field)``) becomes this row's error in
        the column named ``field`` (or ``columns[field]`` where the file names it otherwise)."""
        try:
            rule(*args, **kwargs)
        except DomainError as exc:
            column = (columns or {}).get(exc.field, exc.field) or "row"
            self.error(column, exc.message)
            return False
        return True

    def ref(self, column: str, kind: str, required: bool = False) -> str | None:
        """An id that must exist in this import's files or in the database (checked per batch)."""
        value = self.id(column, required=required)
        if value is not None:
            self.ctx.pending_refs.append(_PendingRef(kind, value, self.line, column))
        return value


class Importer:
    """One CSV file. Subclasses set ``filename`` (their columns are the contract's, ``FILES``)
    and ``key``, and implement
    ``parse`` (one row → a record dict, or None when the row has errors) and ``write`` (upsert
    a batch of records by id; flush, never commit); ``finish`` runs set-based checks after
    the whole file is written and reports with ``ctx.error(filename, ctx.line_for(...), ...)``."""

    filename: str = ""
    key: str | None = None  # the id column; lines are remembered by it for ``finish`` errors
    reference: str | None = None  # the ``tracker.core.references`` scheme of the ids in ``key``

    def parse(self, r: RowReader) -> dict | None:
        raise NotImplementedError

    def write(self, records: list[dict], ctx: ImportContext) -> None:
        raise NotImplementedError

    def finish(self, ctx: ImportContext) -> None:
        return None

    def after_all(self, ctx: ImportContext) -> None:
        """Checks that need every file of the import (e.g. an escalation in one file needs a
        stage in the next); run once all files are written, whichever of them were present."""
        return None

    @property
    def columns(self) -> tuple[Column, ...]:
        return FILES[self.filename]

    def record_key(self, record: dict) -> str | None:
        return None if self.key is None else record.get(self.key)


IMPORTERS: dict[str, Importer] = {}
REF_KINDS: dict[str, Callable[[list[str]], set[str]]] = {}
# kind -> the file whose ``key`` defines those ids (inferred, or given to register_ref_kind)
REF_KIND_FILES: dict[str, str] = {}


def register_importer(importer: Importer) -> None:
    if importer.filename not in KNOWN_FILES:
        raise ValueError(f"{importer.filename} is not a file of interchange.md §1")
    IMPORTERS[importer.filename] = importer


def register_ref_kind(kind: str, id_column, filename: str | None = None) -> None:
    """Make ``RowReader.ref(col, kind)`` check ids against ``id_column`` (a model attribute).

    ``filename`` (optional) names the import file that defines these ids; it is inferred when
    exactly one registered importer's ``key`` has the column's name. It is used only to keep
    the error list short: once an import has failed nothing more is written, so ids defined
    in that file are recognised from the file itself instead of being reported as missing.
    """
    if filename is not None:
        REF_KIND_FILES[kind] = filename
    else:
        REF_KIND_FILES.pop(kind, None)
        _REF_KIND_COLUMNS[kind] = getattr(id_column, "key", None)

    def existing(values: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            found.update(db.session.scalars(select(id_column).where(id_column.in_(chunk))))
        return found

    REF_KINDS[kind] = existing


_REF_KIND_COLUMNS: dict[str, str | None] = {}


def _ref_kind_file(kind: str) -> str | None:
    if kind in REF_KIND_FILES:
        return REF_KIND_FILES[kind]
    column = _REF_KIND_COLUMNS.get(kind)
    files = [imp.filename for imp in IMPORTERS.values() if column and imp.key == column]
    return files[0] if len(files) == 1 else None


@dataclass
class ImportContext:
    today: dt.date
    problems: list[ImportProblem] = field(default_factory=list)
    pending_refs: list[_PendingRef] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    max_problems: int = 1000
    more_problems: int = 0  # problems found beyond ``max_problems`` (counted, not kept)
    # what an import that succeeded should tell its user besides the counts, e.g.
    # {"lado_contacts.csv: possible duplicate people": 2} (a number, never personal data)
    notes: dict[str, int] = field(default_factory=dict)
    # rows loaded that break a rule the records must still follow from now on, e.g. a historical
    # review whose code breaks a DfE rule (tracker.reviews.rules903): imported, and listed
    warnings: list[ImportProblem] = field(default_factory=list)
    # what an importer keeps between its stages of one import (write → finish → after_all)
    scratch: dict[str, Any] = field(default_factory=dict)

    def error(self, filename: str, line: int | None, column: str, message: str) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(ImportProblem(filename, line, column, message))
        else:
            self.more_problems += 1

    def line_for(self, filename: str, key: str) -> int | None:
        return self.lines.get(filename, {}).get(key)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass
class ImportResult:
    problems: list[ImportProblem]
    counts: dict[str, int]
    skipped: list[str]
    more_problems: int = 0  # problems not listed because there were more than the cap
    notes: dict[str, int] = field(default_factory=dict)  # ``ImportContext.notes``
    warnings: list[ImportProblem] = field(default_factory=list)  # ``ImportContext.warnings``

    @property
    def ok(self) -> bool:
        return not self.problems


def _lines(path: Path, progress) -> Iterator[str]:
    with open(path, "rb") as fh:
        for raw in fh:
            if progress is not None:
                progress.update(len(raw))
            yield raw.decode("utf-8")


def _read(path: Path, importer: Importer, ctx: ImportContext, show_progress: bool):
    """Yield (line, row dict) after checking the header; lines count from 1 = header."""
    size = os.path.getsize(path)
    bar = (
        click.progressbar(length=size, label=f"Importing {path.name}", file=click.get_text_stream("stderr"))
        if show_progress and size >= PROGRESS_MIN_BYTES
        else None
    )
    try:
        if bar is not None:
            bar.__enter__()
        reader = csv.reader(_lines(path, bar))
        try:
            header = next(reader)
        except StopIteration:
            ctx.error(path.name, 1, "header", "the file is empty (a header row is needed)")
            return
        except UnicodeDecodeError:
            ctx.error(path.name, 1, "header", "the file is not UTF-8 text")
            return
        header = [h.strip().lstrip("\ufeff") for h in header]
        known = {c.name for c in importer.columns}
        for name in header:
            if name not in known:
                ctx.error(path.name, 1, name or "(blank)", "unknown column")
        unusable = False
        for col in importer.columns:
            if col.required and col.name not in header:
                ctx.error(path.name, 1, col.name, "required column is missing")
                unusable = True
        if len(set(header)) != len(header):
            ctx.error(path.name, 1, "header", "a column is named twice")
            unusable = True
        if unusable:  # every row would fail the same way: report the header only
            return
        line = 1
        try:
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    ctx.error(path.name, line, "row", f"has {len(values)} cells but the header has {len(header)}")
                    continue
                yield line, dict(zip(header, values, strict=True))
        except UnicodeDecodeError:
            ctx.error(path.name, line + 1, "row", "is not UTF-8 text")
        except csv.Error as exc:
            ctx.error(path.name, line + 1, "row", f"is not valid CSV ({exc})")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _resolve_refs(ctx: ImportContext, filename: str) -> set[int]:
    """Check the batch's references in one query per kind; return the lines that failed."""
    bad_lines: set[int] = set()
    by_kind: dict[str, set[str]] = {}
    for ref in ctx.pending_refs:
        by_kind.setdefault(ref.kind, set()).add(ref.value)
    existing = {}
    for kind, values in by_kind.items():
        if kind not in REF_KINDS:
            raise KeyError(f"{filename}: no reference kind {kind!r} is registered (register_ref_kind)")
        found = REF_KINDS[kind](sorted(values))
        if ctx.failed:
            # Nothing is written once an import has failed: ids defined by an earlier file of
            # this import are not in the database, so recognise them from the file's keys.
            source = _ref_kind_file(kind)
            if source is not None:
                found |= {v for v in values if v in ctx.lines.get(source, {})}
        existing[kind] = found
    for ref in ctx.pending_refs:
        if ref.value not in existing[ref.kind]:
            ctx.error(
                filename, ref.line, ref.column, f"{ref.value!r} does not exist in the import files or the database"
            )
            bad_lines.add(ref.line)
    ctx.pending_refs.clear()
    return bad_lines


def _import_file(path: Path, importer: Importer, ctx: ImportContext, show_progress: bool) -> None:
    seen: dict[str, int] = {}
    ctx.lines[importer.filename] = seen
    batch: list[tuple[int, dict]] = []
    count = 0

    def flush() -> None:
        nonlocal count
        bad = _resolve_refs(ctx, importer.filename)
        records = [rec for line, rec in batch if line not in bad]
        if records and not ctx.failed:
            importer.write(records, ctx)
            if importer.reference is not None:  # references made on screen never collide with these
                references.observe(importer.reference, [importer.record_key(r) for r in records])
            db.session.flush()
            db.session.expunge_all()  # keep memory bounded on large files
        count += len(records)
        batch.clear()

    for line, row in _read(path, importer, ctx, show_progress):
        reader = RowReader(ctx, importer.filename, line, row)
        record = importer.parse(reader) if reader.cells_ok() else None
        if record is None or not reader.ok:
            ctx.pending_refs = [p for p in ctx.pending_refs if p.line != line]
            continue
        key = importer.record_key(record)
        if key is not None:
            if key in seen:
                ctx.error(
                    importer.filename,
                    line,
                    importer.key,
                    f"{key!r} appears twice in the file (first on line {seen[key]})",
                )
                continue
            seen[key] = line
        batch.append((line, record))
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    ctx.counts[importer.filename] = count
    if not ctx.failed:
        importer.finish(ctx)
        db.session.flush()


def _refresh_statistics() -> None:
    """After a bulk load, PostgreSQL's planner needs fresh statistics or the set-based figures
    pick slow plans until autovacuum gets round to it (docs/benchmarks.md: 4.6 s → 0.6 s).
    ANALYZE inside the importing transaction counts the rows it has written."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def run(directory: Path | str, *, show_progress: bool = False, actor: str = "cli:import-data") -> ImportResult:
    """Import every known file in ``directory`` in one transaction: all rows or none. On any
    problem (or crash) everything is rolled back here; on success the rows are flushed and the
    caller's runner (the command) commits them with its own work."""
    directory = Path(directory)
    ctx = ImportContext(today=today(), max_problems=MAX_PROBLEMS)
    skipped: list[str] = []
    if not directory.is_dir():
        ctx.error(str(directory), None, "folder", "does not exist or is not a folder")
        return ImportResult(ctx.problems, {}, skipped)
    present = {p.name: p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".csv"}
    for name in sorted(set(present) - set(KNOWN_FILES)):
        ctx.error(name, None, "file", "is not a file of the import format (see interchange.md §1)")
    try:
        for name in KNOWN_FILES:
            if name not in present:
                continue
            importer = IMPORTERS.get(name)
            if importer is None:
                skipped.append(name)
                continue
            _import_file(present[name], importer, ctx, show_progress)
        if not ctx.failed:
            for name in KNOWN_FILES:
                if name in IMPORTERS:
                    IMPORTERS[name].after_all(ctx)
            db.session.flush()
        if ctx.failed:
            db.session.rollback()
            return ImportResult(ctx.problems, {}, skipped, ctx.more_problems)
        audit.record(
            "data.import",
            object_type="import",
            summary="import-data: "
            + ", ".join(f"{k} {v}" for k, v in ctx.counts.items())
            + "".join(f"; {k} {v}" for k, v in ctx.notes.items()),
            after={"counts": ctx.counts, "skipped": skipped} | ({"notes": ctx.notes} if ctx.notes else {}),
            actor=actor,
        )
        db.session.flush()
        _refresh_statistics()
        return ImportResult([], dict(ctx.counts), skipped, notes=dict(ctx.notes), warnings=list(ctx.warnings))
    except Exception:
        db.session.rollback()
        raise
