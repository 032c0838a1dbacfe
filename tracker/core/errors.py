"""The one domain error: every operation raises it when a rule refuses a change.

``message`` is written for the person at the screen (GOV.UK error message style: say what to
do); ``field`` names the form field (or import column) it belongs to, None for the record as a
whole. Views turn it into a field error with ``tracker.web.forms.submit``; the import engine
turns it into a ``file:line: column: message`` problem with ``RowReader.check``.
``StaleRecord`` is the one refusal of a save made from a page opened before a colleague's save.
"""

from __future__ import annotations


class DomainError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleRecord(DomainError):
    """A change made from a page opened before a colleague saved the same record: refused, never
    saved over their change (``tracker.web.forms.submit`` shows both side by side)."""

    MESSAGE = "Someone else changed this record since you opened it"

    def __init__(self, message: str = MESSAGE, field: str | None = None):
        super().__init__(message, field)
