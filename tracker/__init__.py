"""The tracker: a Flask application for children's services' statutory deadlines and figures."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from tracker import config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=None)
    config.load(app, test_config)

    from tracker.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)

    from tracker import features, web
    from tracker.web import lifecycle

    web.init_app(app)
    features.init_app(app)
    lifecycle.init_app(app)  # last: wraps every view of every feature in one transaction
    logging.getLogger("tracker").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    return app
