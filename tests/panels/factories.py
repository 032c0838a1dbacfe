"""Records for the panel tests, made the way the tracker makes them (``tracker.panels.operations``),
so every record obeys the rules and has its audit rows. Run inside an app context; they flush,
the caller commits."""

from __future__ import annotations

import datetime as dt

D = dt.date


# --- meetings and cases ----------------------------------------------------------------------
# (helper B)


# --- foster households and carer reviews ---------------------------------------------------
# ``household(...)``, ``carer_review(household, day)`` and ``reviewing_officer("F1")`` through
# ``tracker.panels.operations`` and ``tracker.auth.operations``.

HOUSEHOLD_APPROVED = D(2022, 1, 10)  # the factories' households are approved on this day unless told otherwise


def reviewing_officer(officer_id: str = "F1", *, roles=("panel_admin",)):
    """A fostering reviewing officer (a panel administrator by default) who cannot sign in."""
    from tracker.auth import operations as users

    return users.create_user(
        email=f"{officer_id.lower()}@example.org",
        name=f"Reviewing officer {officer_id}",
        roles=roles,
        password=None,
        officer_id=officer_id,
        actor="test",
    )


def household(approval_date: dt.date = HOUSEHOLD_APPROVED, *, carer_type: str = "mainstream", **fields):
    """A foster household approved on ``approval_date`` (the next H0001 reference unless given)."""
    from tracker.panels import operations

    return operations.create_household(carer_type=carer_type, approval_date=approval_date, **fields)


def carer_review(household, review_date: dt.date, **fields):
    """A review of ``household`` on ``review_date`` (to panel as the rule says unless told)."""
    from tracker.panels import operations

    return operations.record_carer_review(household, review_date=review_date, **fields)


def reviewed(household, *days: dt.date):
    """``household`` with a review on each of ``days``; the household."""
    for day in days:
        carer_review(household, day)
    return household
