"""Panel forms (GOV.UK patterns from ``tracker.core.forms``)."""

from __future__ import annotations


# --- meetings and cases ----------------------------------------------------------------------
# (helper B)


# --- foster households and carer reviews ---------------------------------------------------
# (helper C)
