"""The page frame: a council service, not a GOV.UK one (architecture: header shows the service
name and the council, never the GOV.UK crown)."""

from __future__ import annotations

from tests.pages import normalise

CROWN_CLASSES = (
    "govuk-header__logotype-crown",
    "govuk-logo",
    "govuk-footer__crown",
    "govuk-footer__copyright-logo",
    "govuk-footer__licence-logo",
)


def test_pages_name_the_council_and_service_without_crown_or_crown_copyright(app, client_request):
    page = client_request.get("/login")
    assert normalise(page.one("header.govuk-header").get_text()) == app.config["COUNCIL_NAME"]
    assert page.text_of(".govuk-service-navigation__service-name") == app.config["SERVICE_NAME"]
    assert page.text_of("footer").startswith(
        f"About this service {app.config['SERVICE_NAME']}, {app.config['COUNCIL_NAME']}."
    )
    assert [c for c in CROWN_CLASSES if page.select(f".{c}")] == []
    assert "Crown copyright" not in normalise(page.soup.get_text(" "))
    assert [link["href"] for link in page.select("link[rel~=icon]")] == ["/static/favicon.svg"]  # the council's
    govuk_icons = [
        tag for tag in page.soup.find_all(True) if "/assets/images/favicon" in " ".join(map(str, tag.attrs.values()))
    ]
    assert govuk_icons == []


def test_council_name_is_configurable(database_uri):
    import tracker
    from tests.conftest import base_config
    from tests.pages import Page

    app = tracker.create_app(base_config(database_uri, COUNCIL_NAME="Borsetshire County Council"))
    page = Page(app.test_client().get("/login"))
    assert page.text_of(".tracker-council-name") == "Borsetshire County Council"
    assert "Borsetshire County Council" in page.text_of("footer")
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()
