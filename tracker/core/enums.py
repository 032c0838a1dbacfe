"""Code lists with their labels, in one place (as Indico's ``RichEnum``).

Every code the tracker stores, imports or shows — due states, stages, areas of concern,
participation codes, LADO dispositions, outcomes, sectors, roles… — is a ``CodeEnum``. A member
*is* its code (a ``str``), so it compares equal to the stored value and goes into SQL as it is;
it also carries the label users read, an optional GOV.UK tag colour and an optional hint::

    class DueState(CodeEnum):
        overdue = "overdue", "Overdue", "red"
        due_soon = "due_soon", "Due soon", "yellow"

    DueState.overdue.label        # "Overdue"
    DueState.overdue.tag_class    # "govuk-tag--red"
    DueState.label_of("due_soon") # "Due soon"
    DueState.choices(blank="Any") # for a select or radios

Templates show ``member.label`` (or use the ``code_tag`` macro); they never spell a label out.
Database columns declared with ``tracker.db.Code(EnumClass)`` read back as members, and their
CHECK constraints are built from ``EnumClass.codes()``.
"""

from __future__ import annotations

import enum
from functools import cache

from wtforms.fields.choices import SelectChoice


class CodeEnum(enum.StrEnum):
    """A ``StrEnum`` whose members are ``code = "code", "Label"[, "tag colour"[, "hint"]]``."""

    def __new__(cls, code: str, label: str | None = None, tag: str | None = None, hint: str | None = None):
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label if label is not None else code
        member._tag = tag
        member._hint = hint
        return member

    @property
    def label(self) -> str:
        return self._label

    @property
    def hint(self) -> str | None:
        """A longer explanation, shown under the choice on forms (e.g. an outcome's definition)."""
        return self._hint

    @property
    def tag_class(self) -> str:
        """The GOV.UK Frontend tag modifier for this code (grey when none is set)."""
        return f"govuk-tag--{self._tag or 'grey'}"

    @classmethod
    @cache  # a code list is fixed: checks call it once per row (rules903)
    def codes(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def get(cls, code: str | None):
        """The member for a code, or None for a blank or unknown code."""
        if code is None or code == "":
            return None
        try:
            return cls(code)
        except ValueError:
            return None

    @classmethod
    def label_of(cls, code: str | None, default: str = "") -> str:
        member = cls.get(code)
        return member.label if member is not None else (default if default or code is None else code)

    @classmethod
    def choices(cls, blank: str | None = None, members=None) -> list[SelectChoice]:
        """Choices for a select, radios or checkboxes (``blank`` adds a first, empty choice)."""
        items = [SelectChoice("", blank)] if blank is not None else []
        return items + [SelectChoice(m.value, m.label) for m in (members if members is not None else cls)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class Status(CodeEnum):
    """Whether a case record (an escalation, a referral…) is still open."""

    open = "open", "Open", "blue"
    closed = "closed", "Closed", "grey"

    @classmethod
    def of(cls, closed_date) -> Status:
        return cls.closed if closed_date is not None else cls.open


class Timeliness(CodeEnum):
    """Whether something done was done in time (on or before its due date, domain.md §2)."""

    in_time = "in_time", "In timescale", "green"
    late = "late", "Late", "red"

    @classmethod
    def of(cls, done, due) -> Timeliness | None:
        if done is None or due is None:
            return None
        return cls.in_time if done <= due else cls.late
