"""The one domain error: every operation raises it when a rule refuses a change.

``message`` is written for the person at the screen (GOV.UK error message style: say what to
do); ``field`` names the form field (or import column) it belongs to, None for the record as a
whole. Views turn it into a field error with ``tracker.web.forms.submit``; the import engine
turns it into a ``file:line: column: message`` problem with ``RowReader.check``.
"""

from __future__ import annotations


class DomainError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
