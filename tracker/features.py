"""The feature packages, in one list. Each package's ``init_app(app)`` registers its blueprint,
CLI commands, navigation and home-page area, and (by importing its ``kpis``, ``due`` and
``importers`` modules) its indicators, due-item kinds and import files with the engines.
A name here that does not import is an error, never a silent skip."""

from __future__ import annotations

import importlib

from flask import Flask

FEATURES = (
    "tracker.auth",
    "tracker.home",
    "tracker.admin",
    "tracker.rules",  # timescale rules and closure days (admin), calendar-rebuild
    "tracker.imports",  # import-data
    "tracker.reviews",
    "tracker.consultations",  # pre-review consultations: rounds, the public form, invitations
    "tracker.escalations",
    "tracker.lado",
    "tracker.panels",  # fostering and adoption panels, ADM decisions, foster carer reviews
    "tracker.worklist",  # worklist pages and due-items
    "tracker.indicators",  # indicator pages, drill-down and kpis
    "tracker.board",  # the board scorecard, snapshots, annual tables and the board pack
    "tracker.jobs",  # the scheduler, run-job, notifications and their admin page
    "tracker.demo",  # generate-data and demo-data
    "tracker.backup",  # backup and restore
)


def init_app(app: Flask) -> None:
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
