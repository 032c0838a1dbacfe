"""Panel pages under /panels. Thin: queries.py reads; operations.py changes (and audits); the
request lifecycle commits. ``panel_admin`` edits, ``adm`` decides, ``manager`` reads."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panels", __name__, url_prefix="/panels")


# --- meetings, cases, the ADM queue, the to-return list ----------------------------------
# (helper B)


# --- foster households, returns to panel, temporary approvals --------------------------------
# (helper C)
