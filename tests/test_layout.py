"""The page frame: a council service, not a GOV.UK one (architecture: header shows the service
name and the council, never the GOV.UK crown)."""

from __future__ import annotations


def test_pages_name_the_council_and_service_without_crown_or_crown_copyright(app, client):
    html = client.get("/login").get_data(as_text=True)
    assert app.config["COUNCIL_NAME"] in html and app.config["SERVICE_NAME"].replace("'", "&#39;") in html
    for marker in (
        "govuk-header__logotype-crown",
        "govuk-logo",
        "govuk-footer__crown",
        "govuk-footer__copyright-logo",
        "govuk-footer__licence-logo",
        "Crown copyright",
        "/assets/images/favicon",
    ):
        assert marker not in html, marker


def test_council_name_is_configurable(database_uri):
    import tracker
    from tests.conftest import base_config

    app = tracker.create_app(base_config(database_uri, COUNCIL_NAME="Borsetshire County Council"))
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "Borsetshire County Council" in html
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()
