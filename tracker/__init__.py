"""The tracker: a Flask application for children's services' statutory deadlines and figures."""
from __future__ import annotations

import logging

from flask import Flask

from tracker import config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)

    from tracker.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    login_manager.init_app(app)

    from tracker import web

    web.init_app(app)

    from tracker import features

    features.init_app(app)
    logging.getLogger("tracker").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
