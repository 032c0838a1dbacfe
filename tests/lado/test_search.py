"""No personal data in URLs or logs: the person search and the actions owner filter are posted
(CSRF) and kept in the session; result pages carry only the page number; each page of search
results shown is audited with ids only."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30", "PAGE_SIZE": 2}


def seed(app):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoReferral

    with app.app_context():
        for n in range(1, 6):  # five people called Smith, born on the same day
            operations.log_contact(
                contact_date=dt.date(2023, 1, n),
                employer_sector="education",
                disposition="advice",
                person_ref=f"P{n}",
                person_name=f"Sam Smith{n}",
                person_dob=dt.date(1980, 5, 17),
                organisation_ref="ORG1",
                organisation_name="Hill School",
            )
        operations.log_contact(
            contact_date=dt.date(2023, 2, 1),
            employer_sector="sport",
            disposition="referral",
            person_ref="P9",
            person_name="Jo Bloggs",
        )
        operations.add_action(
            db.session.get(LadoReferral, "RW00001"),
            description="Training",
            owner="Mrs Headteacher",
            due_date=dt.date(2023, 9, 1),
        )
        operations.add_action(
            db.session.get(LadoReferral, "RW00001"),
            description="Policy review",
            owner="Trust board",
            due_date=dt.date(2023, 9, 1),
        )
        db.session.commit()


def search(client, csrf_token, **data):
    return client.post("/lado/search", data={"csrf_token": csrf_token(client), **data})


def search_reads(app):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return [
            (e.summary, e.after)
            for e in db.session.query(AuditEntry)
            .filter_by(action="lado_record.read", object_type="lado_search")
            .order_by(AuditEntry.id)
        ]


def test_search_by_name_posts_redirects_and_keeps_the_name_out_of_every_url(app, client, login_as, csrf_token):
    seed(app)
    login_as("lado")
    response = search(client, csrf_token, name="smith")
    assert response.status_code == 302
    assert response.headers["Location"] == "/lado/search"  # no name in the URL after searching
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "People 1 to 2 of 5" in html and "P1" in html and "P2" in html and "P3" not in html
    assert 'value="smith"' in html  # the form shows what was searched for
    # pagination links carry the page number only
    assert 'href="/lado/search?page=2"' in html and "smith" not in html.split("govuk-pagination", 1)[1]
    page2 = client.get("/lado/search?page=2").get_data(as_text=True)
    assert "People 3 to 4 of 5" in page2 and "P3" in page2 and "P1<" not in page2
    reads = search_reads(app)
    assert len(reads) == 2  # one per page of results shown (one per search)
    for summary, after in reads:
        assert "smith" not in summary.lower() and "smith" not in str(after).lower()
    assert reads[0][1] == {"by": ["name"], "page": 1, "total": 5, "people": ["P1", "P2"], "organisations": []}


def test_search_by_date_of_birth_and_organisation_keeps_them_out_of_the_url(app, client, login_as, csrf_token):
    seed(app)
    login_as("lado_manager")
    response = search(client, csrf_token, date_of_birth=["17", "5", "1980"])
    assert response.headers["Location"] == "/lado/search"
    html = client.get("/lado/search").get_data(as_text=True)
    assert "of 5" in html and 'value="17"' in html and 'value="1980"' in html
    response = search(client, csrf_token, organisation="hill")
    assert response.headers["Location"] == "/lado/search"
    html = client.get("/lado/search").get_data(as_text=True)
    assert "Hill School" in html and "ORG1" in html
    assert [a["by"] for _, a in search_reads(app)] == [["date_of_birth"], ["organisation"]]
    assert all("1980" not in s + str(a) and "hill" not in (s + str(a)).lower() for s, a in search_reads(app))


def test_the_search_needs_a_csrf_token(app, client, login_as):
    seed(app)
    login_as("lado")
    response = client.post("/lado/search", data={"name": "smith"})
    assert response.status_code == 400
    html = client.get("/lado/search").get_data(as_text=True)
    assert "People 1" not in html and search_reads(app) == []


def test_a_get_query_no_longer_searches(app, client, login_as):
    seed(app)
    login_as("lado")
    html = client.get("/lado/search?name=smith&date_of_birth=17&date_of_birth=5&date_of_birth=1980").get_data(
        as_text=True
    )
    assert "People 1" not in html and "smith" not in html.lower() and search_reads(app) == []


def test_errors_are_shown_and_clear_forgets_the_search(app, client, login_as, csrf_token):
    seed(app)
    login_as("lado")
    response = search(client, csrf_token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Enter a name, a date of birth or an organisation" in html
    response = search(client, csrf_token, name="Sam", date_of_birth=["31", "2", "1980"])
    html = response.get_data(as_text=True)
    assert "Date of birth must be a real date" in html and 'value="Sam"' in html and 'value="31"' in html
    search(client, csrf_token, name="bloggs")
    assert "P9" in client.get("/lado/search").get_data(as_text=True)
    assert client.get("/lado/search?clear=1").status_code == 302
    html = client.get("/lado/search").get_data(as_text=True)
    assert "P9" not in html and "bloggs" not in html


def test_the_actions_owner_filter_is_posted_and_kept_out_of_the_url(app, client, login_as, csrf_token):
    seed(app)
    login_as("lado")
    html = client.get("/lado/actions").get_data(as_text=True)
    assert "Training" in html and "Policy review" in html
    response = client.post(
        "/lado/actions", data={"csrf_token": csrf_token(client), "view": "open", "owner": "Mrs Headteacher"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/lado/actions?view=open"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Training" in html and "Policy review" not in html
    assert client.post("/lado/actions", data={"owner": "Trust board"}).status_code == 400  # CSRF


def test_pagination_links_do_not_repeat_arbitrary_query_arguments(app, client, login_as):
    seed(app)
    login_as("lado")
    html = client.get("/lado/?sector=education&name=Sam+Smith").get_data(as_text=True)
    assert "Contacts 1 to 2 of 5" in html and "sector=education" in html and "Sam+Smith" not in html
