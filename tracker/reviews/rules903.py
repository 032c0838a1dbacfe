"""The DfE's SSDA903 validation rules that touch reviews, one rule set per collection year.

The DfE publishes the children-looked-after return's validation rules each year; the sector's
validator (data-to-insight's ``csc-validator-be-903``) keeps a folder of rules per year
(``lac2022_23``, then only the changes). These are the rules about the REVIEWS table, written
from their meaning with the DfE's numbers and messages, once, for every caller:

- the review form and the operations (``participation_problem``: 440, 441, and 167 for a
  review held in a collection year that has closed), which refuse a wrong code at entry;
- the imports, which load historical rows and list them as located warnings;
- the 903 checks page, ``check-903`` and ``export-903`` (``check``), over the HEADER and
  REVIEWS tables the tracker would return for a collection year.

A collection year is named by the DfE's convention for the year it ends: 2023 = 1 April 2022
to 31 March 2023, rule set ``lac2022_23``. The rules here are pure: the tables come in as
plain rows (``tracker.reviews.ssda903.tables_for_year`` builds them from the records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tracker.core.calendar import add_months
from tracker.formatters import format_date
from tracker.reviews.models import ParticipationCode

PN0 = ParticipationCode.PN0.value
AGED_CODES = tuple(c.value for c in ParticipationCode if c is not ParticipationCode.PN0)  # PN1–PN7
SHORT_BREAKS = ("V3", "V4")  # legal statuses of a child accommodated under short-term breaks


# --- collection years ---------------------------------------------------------------------------


def collection_year(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of collection year ``year`` (2023: 1 April 2022 – 31 March 2023)."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def year_of(day: dt.date) -> int:
    """The collection year a date falls in (12 March 2023 → 2023; 1 April 2023 → 2024)."""
    return day.year + 1 if day.month >= 4 else day.year


def year_label(year: int) -> str:
    """2023 → "2022 to 2023" (GOV.UK style for a year that spans two)."""
    return f"{year - 1} to {year}"


def is_closed(year: int, today: dt.date) -> bool:
    """The collection year has ended: its reviews go to the DfE as they are."""
    return collection_year(year)[1] < today


# --- the rules ----------------------------------------------------------------------------------


def fourth_birthday(date_of_birth: dt.date) -> dt.date:
    """The day the child turns 4 (a child born on 29 February turns 4 on 28 February, as the
    validator's ``DateOffset(years=4)`` counts)."""
    return add_months(date_of_birth, 48)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    years = day.year - date_of_birth.year
    return years - 1 if add_months(date_of_birth, 12 * years) > day else years


@dataclass(frozen=True)
class ReviewRow:
    """One row of the REVIEWS table: a review (``review_id`` None for a file's row)."""

    child: str
    date_of_birth: dt.date | None
    review_date: dt.date | None
    code: str | None
    review_id: str | None = None
    line: int | None = None  # the row's line in a file, for located warnings


@dataclass
class Tables:
    """What the review rules read: HEADER (child → date of birth), REVIEWS, and each child's
    legal statuses in the collection year (from the care periods, EPISODES' ``LS``)."""

    header: dict[str, dt.date | None]
    reviews: list[ReviewRow]
    legal_statuses: dict[str, set[str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    rule: str
    child: str
    review_date: dt.date | None  # None for a rule about the child rather than a review
    message: str
    column: str
    code: str | None = None  # the review's participation code as it stands
    review_id: str | None = None
    line: int | None = None

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "child": self.child,
            "review_date": self.review_date.isoformat() if self.review_date else "",
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    code: str  # the DfE's number
    message: str  # the DfE's message
    column: str  # the REVIEWS column to correct
    fails: Callable[[ReviewRow, Tables], bool]
    fix: str = ""  # what the person correcting the review should do


def _166(row: ReviewRow, tables: Tables) -> bool:
    return row.review_date is None


def _167(row: ReviewRow, tables: Tables) -> bool:
    # a review's participation code is one of PN0–PN7 (a row with neither a date nor a code passes)
    return (row.review_date is not None or row.code is not None) and row.code not in ParticipationCode.codes()


def _440(row: ReviewRow, tables: Tables) -> bool:
    return (
        row.code == PN0
        and row.review_date is not None
        and row.date_of_birth is not None
        and row.review_date > fourth_birthday(row.date_of_birth)
    )


def _441(row: ReviewRow, tables: Tables) -> bool:
    return (
        row.code in AGED_CODES
        and row.review_date is not None
        and row.date_of_birth is not None
        and row.review_date < fourth_birthday(row.date_of_birth)
    )


def _399(row: ReviewRow, tables: Tables) -> bool:
    # reviews returned for a child whose every episode in the year is a short break (V3/V4)
    statuses = tables.legal_statuses.get(row.child)
    return bool(statuses) and all(s in SHORT_BREAKS for s in statuses)


def _int08(row: ReviewRow, tables: Tables) -> bool:
    return row.child not in tables.header


def _int17(row: ReviewRow, tables: Tables) -> bool:
    header_dob = tables.header.get(row.child)
    return header_dob is not None and row.date_of_birth is not None and header_dob != row.date_of_birth


RULES_2022_23: tuple[Rule, ...] = (
    Rule("166", "Date of review is invalid or blank.", "REVIEW", _166, "Enter the date the review was held."),
    Rule(
        "167",
        "Data entry for participation is invalid or blank.",
        "REVIEW_CODE",
        _167,
        "Select how the child participated (PN0 under 4, PN1 to PN7 from 4).",
    ),
    Rule(
        "399",
        "Mother field, review field or participation field are completed but child is looked after under legal "
        "status V3 or V4.",
        "REVIEW",
        _399,
        "A child on short breaks only (V3 or V4) has no reviews in the return: check the care period's legal status, "
        "or remove the review if it was recorded by mistake.",
    ),
    Rule(
        "440",
        "Participation method indicates child was under 4 years old at the time of the review, but date of birth "
        "and review date indicates the child was 4 years old or over.",
        "REVIEW_CODE",
        _440,
        "The child was 4 or over: select how they participated (PN1 to PN7), or correct the date of birth.",
    ),
    Rule(
        "441",
        "Participation method indicates child was 4 years old or over at the time of the review, but the date of "
        "birth and review date indicates the child was under 4 years old.",
        "REVIEW_CODE",
        _441,
        "The child was under 4: select PN0, or correct the date of birth.",
    ),
    Rule(
        "INT08",
        "Internal Check: Child in Reviews does not exist in Header.",
        "CHILD",
        _int08,
        "Check the child's record.",
    ),
    Rule(
        "INT17",
        "Internal Check: DOB in Reviews is different to DOB in Header.",
        "DOB",
        _int17,
        "Correct the date of birth.",
    ),
)

# Collection year → its rule set. A year takes the set of the latest year at or before it (the
# DfE carries a rule over until it changes it; the validator's later folders hold only changes,
# and none to these rules up to 2026/27). Years before 2022/23 take the earliest set.
RULESETS: dict[int, tuple[Rule, ...]] = {2023: RULES_2022_23}


def ruleset(year: int) -> tuple[str, tuple[Rule, ...]]:
    """The rule set (its validator name and rules) of collection year ``year``."""
    earlier = [y for y in RULESETS if y <= year]
    return f"lac{year - 1}_{year % 100:02d}", RULESETS[max(earlier) if earlier else min(RULESETS)]


def check(tables: Tables, year: int) -> list[Failure]:
    """Every failure of the year's rules over ``tables``, in row order."""
    rules = ruleset(year)[1]
    return [
        Failure(rule.code, row.child, row.review_date, rule.message, rule.column, row.code, row.review_id, row.line)
        for row in tables.reviews
        for rule in rules
        if rule.fails(row, tables)
    ]


def counts(failures: Iterable[Failure]) -> dict[str, int]:
    """Failures by rule, in the rule's order (numbers first, then the internal checks)."""
    found: dict[str, int] = {}
    for f in failures:
        found[f.rule] = found.get(f.rule, 0) + 1
    return dict(sorted(found.items(), key=lambda item: (not item[0].isdigit(), item[0].zfill(5))))


# --- at entry -----------------------------------------------------------------------------------


def participation_choices_for(date_of_birth: dt.date | None, review_date: dt.date | None) -> tuple[str, ...]:
    """The codes a review of a child born ``date_of_birth`` held on ``review_date`` may carry:
    PN0 under 4, PN1–PN7 from 4 (both on the fourth birthday, as the DfE's rules allow)."""
    if date_of_birth is None or review_date is None:
        return ParticipationCode.codes()
    birthday = fourth_birthday(date_of_birth)
    return ((PN0,) if review_date <= birthday else ()) + (AGED_CODES if review_date >= birthday else ())


def participation_problem(
    date_of_birth: dt.date | None, review_date: dt.date | None, code: str | None, today: dt.date
) -> tuple[str, str] | None:
    """(rule, message for the person entering the review) when the code breaks a DfE rule."""
    if review_date is None:
        return None
    if code is None:
        year = year_of(review_date)
        if is_closed(year, today):
            return "167", (
                f"Select how the child participated: the review was held in the {year_label(year)} collection year, "
                "which has ended, and the DfE's return needs a participation code for it"
            )
        return None
    if (
        date_of_birth is not None
        and code in ParticipationCode.codes()
        and code not in participation_choices_for(date_of_birth, review_date)
    ):
        return _age_message(date_of_birth, review_date, code)
    return None


def _age_message(date_of_birth: dt.date, review_date: dt.date, code: str) -> tuple[str, str]:
    age = age_on(date_of_birth, review_date)
    held = format_date(review_date)
    years = f"{age} year{'' if age == 1 else 's'} old"
    if code == PN0:
        return "440", f"PN0 is for a child under 4: the child was {years} on {held}. Select PN1 to PN7"
    return "441", f"{code} is for a child aged 4 or over: the child was {years} on {held}. Select PN0"
