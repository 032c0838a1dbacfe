"""The read side of panels (domain.md §7): lists, the ADM queue, returns to panel, the due-item
queries and the indicators' rows. Set-based: one query per list, no Python loop over a table."""

from __future__ import annotations


# --- due items and indicators --------------------------------------------------------------
# (helper A)


# --- meetings, agendas, the ADM queue, the to-return list ----------------------------------
# (helper B)


# --- foster households, returns to panel, temporary approvals --------------------------------
# (helper C)
