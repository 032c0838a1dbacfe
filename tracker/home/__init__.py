"""The home page: what each role can do, and the signed-in user's worklist."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.home.views import bp

    app.register_blueprint(bp)
