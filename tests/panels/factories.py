"""Records for the panel tests, made the way the tracker makes them (``tracker.panels.operations``),
so every record obeys the rules and has its audit rows. Run inside an app context; they flush,
the caller commits."""

from __future__ import annotations

import datetime as dt

D = dt.date


# --- meetings and cases ----------------------------------------------------------------------
# (helper B)


# --- foster households and carer reviews ---------------------------------------------------
# (helper C)
