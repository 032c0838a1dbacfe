"""Every change to panel meetings, panel cases, foster households and carer reviews (domain.md
§7). Each operation checks its rule, changes the rows, writes one audit row and flushes; the
request lifecycle (or the import, or the LADO hook) commits.

The row rules (``check_*``) are also what the import applies to each row of panel_meetings.csv,
panel_cases.csv, foster_households.csv and carer_reviews.csv.
"""

from __future__ import annotations

from tracker.core import references
from tracker.panels.models import CarerReview, FosterHousehold, PanelCase, PanelMeeting

references.register("panel_meeting", "PM", 4, PanelMeeting.meeting_id)
references.register("panel_case", "PC", 5, PanelCase.case_id)
references.register("foster_household", "H", 4, FosterHousehold.household_id)
references.register("carer_review", "CR", 5, CarerReview.review_id)


# --- rules shared with the import ---------------------------------------------------------
# (helper A: row rules used by importers.py and by the operations)


# --- meetings and cases: the panel adviser and the ADM -------------------------------------
# (helper B)


# --- foster households and carer reviews ---------------------------------------------------
# (helper C)


# --- review after an allegation: the LADO hook (domain.md §6) ------------------------------
# (helper C)
