"""Every change to the board's records (architecture.md): freezing a month, re-freezing it with
a reason, the scorecard's configuration and the managers' commentary. Each writes its audit row
and flushes; the request (or the command) commits once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.board.models import (
    BoardUnit,
    FrozenFigure,
    FrozenMonth,
    GoodIs,
    ScorecardRow,
    ScorecardSection,
    SectionCommentary,
)
from tracker.board.scorecard import BOARD_UNIT, first_of, freeze_day, last_of
from tracker.core import audit, kpis, timescales
from tracker.core.calendar import ClosureDay
from tracker.core.clock import now_utc, today
from tracker.core.errors import DomainError, StaleRecord
from tracker.extensions import db

# --- frozen months (domain.md §8) ----------------------------------------------------------


def _in_force() -> tuple[dict[str, str], list[str]]:
    """The timescale rules and closure days the figures are computed under, as they are now."""
    rules = {rule.name: rule.duration_text for rule in timescales.all_rules()}
    closures = [d.isoformat() for d in db.session.scalars(select(ClosureDay.day).order_by(ClosureDay.day))]
    return rules, closures


def _figures(month: dt.date) -> list[FrozenFigure]:
    """Every registered indicator as at the month's last day (the scorecard's rows may change;
    the month keeps what every indicator was)."""
    period = kpis.Period(month, last_of(month), last_of(month))
    return [
        FrozenFigure(
            month=month,
            indicator_id=ind_id,
            numerator=fig.numerator if fig.indicator.unit != kpis.COUNT else fig.value,
            denominator=fig.denominator,
            value=fig.value,
        )
        for ind_id, fig in kpis.compute(period).items()
    ]


def frozen_month(month: dt.date) -> FrozenMonth | None:
    return db.session.get(FrozenMonth, first_of(month))


def freeze_month(month: dt.date, *, user=None) -> FrozenMonth:
    """Freeze ``month``'s figures as at its last day. A month is frozen once it is over, and
    only once: a frozen month changes only through ``refreeze_month``, with a reason."""
    month = first_of(month)
    if last_of(month) >= today():
        raise DomainError(f"{month:%B %Y} is not over yet: a month can be frozen from the day after its last day.")
    if frozen_month(month) is not None:
        raise DomainError(f"{month:%B %Y} is already frozen. An administrator can re-freeze it, giving a reason.")
    rules, closures = _in_force()
    frozen = FrozenMonth(
        month=month, frozen_at=now_utc(), frozen_by=audit.actor_name(user), rules=rules, closure_days=closures
    )
    frozen.figures = _figures(month)
    db.session.add(frozen)
    audit.record(
        "board.freeze",
        object_type="scorecard_month",
        object_id=f"{month:%Y-%m}",
        summary=f"The scorecard for {month:%B %Y} was frozen ({len(frozen.figures)} figures)",
        after={"month": f"{month:%Y-%m}", "figures": len(frozen.figures), "rules": rules, "closure_days": closures},
        user=user,
    )
    db.session.flush()
    return frozen


def refreeze_month(month: dt.date, reason: str, *, user=None) -> FrozenMonth:
    """Re-open a frozen month and freeze it again from the records as they are now (a
    correction the board must see): the reason is kept and shown on the scorecard, and the
    audit row keeps every figure that changed, before and after."""
    month = first_of(month)
    reason = (reason or "").strip()
    frozen = frozen_month(month)
    if frozen is None:
        raise DomainError(f"{month:%B %Y} is not frozen: freeze it instead.")
    if not reason:
        raise DomainError("Enter why the month is being re-frozen", field="reason")
    old = {f.indicator_id: f.value for f in frozen.figures}
    db.session.execute(delete(FrozenFigure).where(FrozenFigure.month == month))
    db.session.expire(frozen, ["figures"])
    rules, closures = _in_force()
    figures = _figures(month)
    new = {f.indicator_id: f.value for f in figures}
    before = {"frozen_at": frozen.frozen_at, "frozen_by": frozen.frozen_by, "rules": frozen.rules}
    frozen.figures = figures
    frozen.frozen_at, frozen.frozen_by = now_utc(), audit.actor_name(user)
    frozen.rules, frozen.closure_days = rules, closures
    frozen.refrozen_reason = reason
    frozen.times_frozen += 1
    changed = {k: (old.get(k), new.get(k)) for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)}
    audit.record(
        "board.refreeze",
        object_type="scorecard_month",
        object_id=f"{month:%Y-%m}",
        summary=f"The scorecard for {month:%B %Y} was re-frozen: {len(changed)} figures changed",
        before={**before, "figures": {k: v[0] for k, v in changed.items()}},
        after={
            "reason": reason,
            "rules": rules,
            "closure_days": closures,
            "figures": {k: v[1] for k, v in changed.items()},
        },
        user=user,
    )
    db.session.flush()
    return frozen


def freeze_due(as_of: dt.date, months_back: int = 1, *, user=None) -> list[FrozenMonth]:
    """Freeze each of the ``months_back`` months before ``as_of``'s whose freeze day (the 4th of
    the following month or the next working day, 003:L277) has come and which is not frozen
    yet — what the scheduled job does each day, catching up on days it missed; never re-freezes."""
    done = []
    month = first_of(as_of)
    for _ in range(months_back):
        month = first_of(month - dt.timedelta(days=1))
        if freeze_day(month) <= as_of and frozen_month(month) is None:
            done.append(freeze_month(month, user=user))
    return sorted(done, key=lambda f: f.month)


# --- the scorecard's configuration (admin; helper A) ----------------------------------------

# Sections and rows keep their positions 1, 2, 3 … (moving swaps two; deleting closes the gap).
# Changing a row never changes a frozen month: ``FrozenFigure`` keeps every indicator's figures
# by indicator id, whatever the scorecard's rows say (``tracker.board.models``).

SECTION_FIELDS = ("title", "position")
ROW_FIELDS = (
    "section_id",
    "position",
    "indicator_id",
    "label",
    "unit",
    "good_is",
    "england",
    "good_sn",
    "target",
    "tolerance",
)
TITLE_MAX = 120
LABEL_MAX = 200
# Numeric(12, 2): up to ten digits before the point, two after
NUMBER_LIMIT = Decimal(10) ** 10
NUMBER_NAMES = {"england": "The England average", "good_sn": "The Good + SN average", "target": "The target"}
NUMBER_NAMES["tolerance"] = "The tolerance"
UP, DOWN = "up", "down"


def sections() -> list[ScorecardSection]:
    """Every section in order, with its rows in order."""
    return list(
        db.session.scalars(
            select(ScorecardSection)
            .options(selectinload(ScorecardSection.rows))
            .order_by(ScorecardSection.position, ScorecardSection.id)
        )
    )


def used_indicators() -> set[str]:
    return set(db.session.scalars(select(ScorecardRow.indicator_id)))


def _renumber(items) -> None:
    for position, item in enumerate(items, 1):
        if item.position != position:
            item.position = position


def _title(title: str | None, section: ScorecardSection | None = None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Enter the section's title", "title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"The title must be {TITLE_MAX} characters or fewer", "title")
    clash = db.session.scalar(select(ScorecardSection).where(func.lower(ScorecardSection.title) == title.lower()))
    if clash is not None and clash is not section:
        raise DomainError(f"There is already a section called {clash.title}: choose another title", "title")
    return title


def add_section(title: str, *, user=None) -> ScorecardSection:
    """A new section at the end of the scorecard."""
    title = _title(title)
    last = db.session.scalar(select(func.max(ScorecardSection.position))) or 0
    section = ScorecardSection(title=title, position=last + 1)
    db.session.add(section)
    db.session.flush()
    audit.record(
        "scorecard_section.create",
        object_type="scorecard_section",
        object_id=section.id,
        summary=f"Scorecard section {title} added",
        after=audit.snapshot(section, SECTION_FIELDS),
        user=user,
    )
    return section


def rename_section(section: ScorecardSection, title: str, *, user=None) -> bool:
    """Rename a section. False (and nothing written) when the title is unchanged."""
    title = _title(title, section)
    if title == section.title:
        return False
    before = audit.snapshot(section, ("title",))
    section.title = title
    db.session.flush()
    audit.record(
        "scorecard_section.update",
        object_type="scorecard_section",
        object_id=section.id,
        summary=f"Scorecard section {before['title']} renamed {title}",
        before=before,
        after={"title": title},
        user=user,
    )
    return True


def _direction(direction: str) -> int:
    if direction not in (UP, DOWN):
        raise DomainError("Choose up or down")
    return -1 if direction == UP else 1


def move_section(section: ScorecardSection, direction: str, *, user=None) -> bool:
    """Swap a section with the one above (``"up"``) or below (``"down"``). False when it is
    first (or last) already."""
    step = _direction(direction)
    ordered = sections()
    _renumber(ordered)
    index = ordered.index(section)
    other = index + step
    if not 0 <= other < len(ordered):
        return False
    neighbour = ordered[other]
    before = section.position
    ordered[index], ordered[other] = neighbour, section
    _renumber(ordered)
    db.session.flush()
    audit.record(
        "scorecard_section.update",
        object_type="scorecard_section",
        object_id=section.id,
        summary=f"Scorecard section {section.title} moved {direction} (above {neighbour.title})"
        if step < 0
        else f"Scorecard section {section.title} moved {direction} (below {neighbour.title})",
        before={"position": before},
        after={"position": section.position},
        user=user,
    )
    return True


def section_commentary_count(section: ScorecardSection) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SectionCommentary).where(SectionCommentary.section_id == section.id)
    )


def delete_section(section: ScorecardSection, *, user=None) -> int:
    """Take a section off the scorecard with its rows (and its commentary); the sections after
    it move up. Frozen months keep their figures. Returns the number of rows deleted."""
    before = {
        **audit.snapshot(section, SECTION_FIELDS),
        "rows": [audit.snapshot(row, ROW_FIELDS) for row in section.rows],
        "commentaries": section_commentary_count(section),
    }
    count, section_id = len(section.rows), section.id
    db.session.execute(delete(SectionCommentary).where(SectionCommentary.section_id == section.id))
    db.session.delete(section)
    db.session.flush()
    _renumber([s for s in sections() if s is not section])
    db.session.flush()
    audit.record(
        "scorecard_section.delete",
        object_type="scorecard_section",
        object_id=section_id,
        summary=f"Scorecard section {before['title']} deleted with its {count} rows",
        before=before,
        user=user,
    )
    return count


def _number(value, name: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    what = NUMBER_NAMES[name]
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError:
        raise DomainError(f"{what} must be a number, like 85.5", name) from None
    if not number.is_finite():
        raise DomainError(f"{what} must be a number, like 85.5", name)
    if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
        raise DomainError(f"{what} must have no more than 2 decimal places", name)
    if abs(number) >= NUMBER_LIMIT:
        raise DomainError(f"{what} must be less than 10,000,000,000", name)
    if name == "tolerance" and number < 0:
        raise DomainError(f"{what} must be 0 or more", name)
    return number.quantize(Decimal("0.01"))


def _settings(indicator: kpis.Indicator, values: dict) -> dict:
    """A row's settings from the form's answers, checked (blank unit and good is: the indicator's)."""
    label = " ".join((values.get("label") or "").split())
    if len(label) > LABEL_MAX:
        raise DomainError(f"The label must be {LABEL_MAX} characters or fewer", "label")
    if label in (indicator.label, indicator.title):
        label = ""  # the indicator's own title: follows it
    try:
        unit = BoardUnit(values.get("unit") or BOARD_UNIT[indicator.unit])
    except ValueError:
        raise DomainError("Select the unit", "unit") from None
    try:
        good_is = GoodIs(values.get("good_is") or indicator.good_is or GoodIs.neither)
    except ValueError:
        raise DomainError("Select which way is good: high, low or neither", "good_is") from None
    numbers = {name: _number(values.get(name), name) for name in NUMBER_NAMES}
    return {"label": label, "unit": unit, "good_is": good_is, **numbers}


def _indicator(indicator_id: str | None) -> kpis.Indicator:
    if not indicator_id:
        raise DomainError("Select the indicator", "indicator_id")
    try:
        return kpis.get(indicator_id)
    except KeyError:
        raise DomainError("Select an indicator from the list", "indicator_id") from None


def add_row(section: ScorecardSection, indicator_id: str, *, user=None, **values) -> ScorecardRow:
    """Put a registered indicator on the scorecard at the end of ``section``. ``values``: label,
    unit, good_is, england, good_sn, target, tolerance (blank: the defaults)."""
    indicator = _indicator(indicator_id)
    if indicator.id in used_indicators():
        raise DomainError(f"{indicator.title} is on the scorecard already: change its row instead", "indicator_id")
    settings = _settings(indicator, values)
    last = db.session.scalar(select(func.max(ScorecardRow.position)).where(ScorecardRow.section_id == section.id))
    row = ScorecardRow(section=section, position=(last or 0) + 1, indicator_id=indicator.id, **settings)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "scorecard_row.create",
        object_type="scorecard_row",
        object_id=row.id,
        summary=f"{indicator.title} added to the scorecard section {section.title}",
        after=audit.snapshot(row, ROW_FIELDS),
        user=user,
    )
    return row


def update_row(row: ScorecardRow, *, user=None, **values) -> bool:
    """Change a row's label, unit, good is, averages, target and tolerance (its indicator stays).
    False (and nothing written) when nothing changed. Frozen months keep their values."""
    indicator = _indicator(row.indicator_id)
    settings = _settings(indicator, values)
    before = audit.snapshot(row, tuple(settings))
    for name, value in settings.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    after = audit.snapshot(row, tuple(settings))
    if before == after:
        return False
    db.session.flush()
    before, after = audit.changed(before, after)
    audit.record(
        "scorecard_row.update",
        object_type="scorecard_row",
        object_id=row.id,
        summary=f"Scorecard row {indicator.title} changed: {', '.join(after)}",
        before=before,
        after=after,
        user=user,
    )
    return True


def move_row(row: ScorecardRow, direction: str, *, user=None) -> bool:
    """Swap a row with the one above or below it in its section. False when it is first (or
    last) already."""
    step = _direction(direction)
    ordered = sorted(row.section.rows, key=lambda r: (r.position, r.id))
    _renumber(ordered)
    index = ordered.index(row)
    other = index + step
    if not 0 <= other < len(ordered):
        return False
    before = row.position
    ordered[index], ordered[other] = ordered[other], row
    _renumber(ordered)
    db.session.flush()
    audit.record(
        "scorecard_row.update",
        object_type="scorecard_row",
        object_id=row.id,
        summary=f"Scorecard row {row_label(row)} moved {direction} in {row.section.title}",
        before={"position": before},
        after={"position": row.position},
        user=user,
    )
    return True


def delete_row(row: ScorecardRow, *, user=None) -> None:
    """Take a row off the scorecard; the rows after it move up. Frozen months keep their figures."""
    section, row_id = row.section, row.id
    before = audit.snapshot(row, ROW_FIELDS)
    label = row_label(row)
    section.rows.remove(row)
    db.session.flush()
    _renumber(sorted(section.rows, key=lambda r: (r.position, r.id)))
    db.session.flush()
    audit.record(
        "scorecard_row.delete",
        object_type="scorecard_row",
        object_id=row_id,
        summary=f"Scorecard row {label} deleted from {section.title}",
        before=before,
        user=user,
    )


def indicator_or_none(indicator_id: str) -> kpis.Indicator | None:
    try:
        return kpis.get(indicator_id)
    except KeyError:
        return None


def row_label(row: ScorecardRow) -> str:
    """The row's label as the scorecard shows it: its own, else the indicator's title."""
    if row.label:
        return row.label
    indicator = indicator_or_none(row.indicator_id)
    return indicator.title if indicator else row.indicator_id


# --- commentary (managers; helper A) --------------------------------------------------------

COMMENTARY_MAX = 5000


def save_commentary(
    section: ScorecardSection, month: dt.date, text: str, *, user, version: int | str | None = None
) -> SectionCommentary:
    """Write (or change) ``section``'s commentary on ``month``'s scorecard as ``user``: the
    author and the time move to this save; audited with the text before and after. Refused for a
    month not begun, for blank or over-long text, and when ``version`` (the commentary's version
    the page showed) is not its version now (a colleague saved it since: ``StaleRecord``)."""
    month = first_of(month)
    if month > first_of(today()):
        raise DomainError(f"{month:%B %Y} has not begun: commentary can be written for this month or earlier.")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError("Enter the commentary", field="text")
    if len(text) > COMMENTARY_MAX:
        raise DomainError(f"The commentary must be {COMMENTARY_MAX:,} characters or fewer", field="text")
    note = db.session.scalar(
        select(SectionCommentary).where(SectionCommentary.section_id == section.id, SectionCommentary.month == month)
    )
    if note is not None and version not in (None, "") and str(version) != str(note.version):
        raise StaleRecord()
    before = None if note is None else {"text": note.text, "author": note.author, "written_at": note.written_at}
    if note is None:
        note = SectionCommentary(section_id=section.id, month=month)
    note.text = text
    note.author = user.display_name if user is not None else "system"
    note.author_id = getattr(user, "id", None)
    note.written_at = now_utc()
    try:
        with db.session.begin_nested():  # a colleague writing the first one at the same moment
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        raise StaleRecord() from None
    audit.record(
        "scorecard_commentary.save",
        object_type="scorecard_commentary",
        object_id=str(note.id),
        summary=f"Commentary on {section.title} for {month:%B %Y} {'written' if before is None else 'changed'}",
        before=before,
        after={"section": section.title, "month": f"{month:%Y-%m}", "text": text, "author": note.author},
        user=user,
    )
    db.session.flush()
    return note
