"""The feature packages, in one list. Each package's ``init_app(app)`` registers its blueprint,
CLI commands, navigation and its indicators, due-item kinds and importers with the engines."""
from __future__ import annotations

import importlib

from flask import Flask

FEATURES = (
    "tracker.core.engines",  # calendar, timescale rules, kpis/due-items/import CLI, rule admin
    "tracker.auth",
    "tracker.home",
    "tracker.admin",
    "tracker.reviews",
    "tracker.escalations",
    "tracker.lado",
    "tracker.panels",
    "tracker.board",
)


def init_app(app: Flask) -> None:
    for name in FEATURES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a feature that has not landed yet
                continue
            raise
        module.init_app(app)
