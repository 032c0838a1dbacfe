"""No personal data in URLs or logs: the person search and the actions owner filter are posted
(CSRF) and kept in the session; result pages carry only the page number; each page of search
results shown is an audited read of references only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.lado import factories

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30", "PAGE_SIZE": 2}


@dataclass(frozen=True)
class People:
    smiths: list[str]  # five people called Sam Smith1…5, born 17 May 1980, contacts at Hill School
    organisation: str  # Hill School
    bloggs: str  # Jo Bloggs, subject of a referral with two actions
    public_ids: dict[str, str]  # reference -> the public id the pages and the audit log use


@pytest.fixture
def people(app) -> People:
    from tracker.extensions import db

    with app.app_context():
        smiths = [
            factories.contact(
                D(2023, 1, n),
                person_name=f"Sam Smith{n}",
                person_dob=D(1980, 5, 17),
                organisation_name="Hill School",
            )
            for n in range(1, 6)
        ]
        referral = factories.referral(D(2023, 2, 1), employer_sector="sport", person_name="Jo Bloggs")
        factories.action(referral, "Training", owner="Mrs Headteacher", due_date=D(2023, 9, 1))
        factories.action(referral, "Policy review", owner="Trust board", due_date=D(2023, 9, 1))
        db.session.commit()
        return People(
            [c.person_ref for c in smiths],
            smiths[0].organisation_ref,
            referral.contact.person_ref,
            {c.person_ref: c.person.public_id for c in smiths},
        )


def search(client_request, **criteria):
    """Post the search; returns where it redirects to."""
    return client_request.post("/lado/search", criteria).response.headers["Location"]


def search_reads(lado_reads):
    """The rows of the result pages shown (the post itself is a redirect, with no references)."""
    return [r for r in lado_reads(object_id="lado.search") if r.after is not None]


def pagination_hrefs(page) -> list[str]:
    return page.hrefs(".govuk-pagination")


def test_search_by_name_posts_redirects_and_keeps_the_name_out_of_every_url(
    client_request, login_as, people, lado_reads
):
    login_as("lado")
    assert search(client_request, name="smith") == "/lado/search"  # no name in the URL after searching
    page = client_request.get("/lado/search")
    assert page.text_of("#people caption") == "People 1 to 2 of 5"
    assert [row[:2] for row in page.table("#people")] == [
        [people.smiths[0], "Sam Smith1"],
        [people.smiths[1], "Sam Smith2"],
    ]
    assert page.value("name") == "smith"  # the form shows what was searched for
    # pagination links carry the page number only
    assert pagination_hrefs(page) == [f"/lado/search?page={n}" for n in (1, 2, 3, 2)]
    page2 = client_request.get("/lado/search?page=2")
    assert page2.text_of("#people caption") == "People 3 to 4 of 5"
    assert [row[0] for row in page2.table("#people")] == people.smiths[2:4]
    reads = search_reads(lado_reads)
    assert len(reads) == 2  # one per page of results shown
    for row in reads:
        assert "smith" not in (row.summary + str(row.after)).lower()
    assert (
        [r.after for r in reads]
        == [  # people are named by their pages' public ids
            {"refs": [people.public_ids[r] for r in people.smiths[:2]], "page": 1, "total": 5, "by": ["name"]},
            {"refs": [people.public_ids[r] for r in people.smiths[2:4]], "page": 2, "total": 5, "by": ["name"]},
        ]
    )


def test_search_by_date_of_birth_and_organisation_keeps_them_out_of_the_url(
    client_request, login_as, people, lado_reads
):
    login_as("lado_manager")
    assert search(client_request, date_of_birth=["17", "5", "1980"]) == "/lado/search"
    page = client_request.get("/lado/search")
    assert page.text_of("#people caption") == "People 1 to 2 of 5"
    assert [page.value(f"date_of_birth-{part}") for part in ("day", "month", "year")] == ["17", "5", "1980"]
    assert search(client_request, organisation="hill") == "/lado/search"
    page = client_request.get("/lado/search")
    assert page.links()["Hill School"] == f"/lado/organisations/{people.organisation}"
    assert f"Hill School ({people.organisation})" in page.texts("main ul.govuk-list li")
    assert [row[0] for row in page.table("#people")] == people.smiths[:2]  # who had contacts there
    reads = search_reads(lado_reads)
    smiths = [people.public_ids[r] for r in people.smiths[:2]]
    assert [r.after["refs"] for r in reads] == [smiths, [*smiths, people.organisation]]
    assert all(
        "1980" not in r.summary + str(r.after) and "hill" not in (r.summary + str(r.after)).lower() for r in reads
    )


def test_the_search_needs_a_csrf_token(client_request, login_as, people, lado_reads):
    login_as("lado")
    client_request.post("/lado/search", {"name": "smith"}, csrf=False, status=400)
    page = client_request.get("/lado/search")
    assert page.select("#people") == [] and not page.value("name")
    assert search_reads(lado_reads) == []


def test_a_get_query_no_longer_searches(client_request, login_as, people, lado_reads):
    login_as("lado")
    page = client_request.get("/lado/search?name=smith&date_of_birth=17&date_of_birth=5&date_of_birth=1980")
    assert page.select("#people") == [] and not page.value("name")
    assert "smith" not in page.text.lower()
    assert search_reads(lado_reads) == []


def test_errors_are_shown_and_clear_forgets_the_search(client_request, login_as, people):
    login_as("lado")
    search(client_request, name="bloggs")
    page = client_request.get("/lado/search")
    assert [row[0] for row in page.table("#people")] == [people.bloggs]
    page = client_request.post("/lado/search", {}, status=200)
    assert page.errors == ["Enter a name, a date of birth or an organisation"]
    assert page.select("#people") == []  # the errors, not the older search's results
    page = client_request.post("/lado/search", {"name": "Sam", "date_of_birth": ["31", "2", "1980"]}, status=200)
    assert page.field_error("date_of_birth").startswith("Date of birth must be a real date")
    assert page.value("name") == "Sam" and page.value("date_of_birth-day") == "31"
    assert client_request.get("/lado/search").select("#people") == []  # a refused search forgets the last one
    search(client_request, name="bloggs")
    page = client_request.get("/lado/search")
    assert page.links()["Clear search"] == "/lado/search?clear=1"
    client_request.get("/lado/search?clear=1", status=302)
    page = client_request.get("/lado/search")
    assert page.select("#people") == [] and not page.value("name") and "Clear search" not in page.links()


def test_the_actions_filter_is_posted_and_kept_out_of_the_url(app, client_request, login_as, people, lado_reads):
    """The tracker is filtered by the LADO who chases the actions (it was once by their free-text
    owner, which may be a name): posted, and kept in the session, never in the URL."""
    from tracker.extensions import db
    from tracker.lado.models import LadoAction

    login_as("lado", officer_id="L1", name="Lee One")
    with app.app_context():
        db.session.query(LadoAction).filter_by(description="Training").one().chaser_officer_id = "L1"
        db.session.commit()

    def actions_shown(page):
        return [row[1] for row in page.table("#actions")]

    assert actions_shown(client_request.get("/lado/actions")) == ["Policy review", "Training"]  # by chaser: none first
    posted = client_request.post("/lado/actions", {"view": "open", "chaser": "L1"})
    assert posted.response.headers["Location"] == "/lado/actions?view=open"
    page = client_request.get("/lado/actions?view=open")
    assert actions_shown(page) == ["Training"] and page.text_of("#chaser option[selected]") == "Lee One (L1)"
    client_request.post("/lado/actions", {"chaser": ""}, csrf=False, status=400)
    assert actions_shown(client_request.get("/lado/actions?view=open")) == ["Training"]  # unchanged
    assert all("Headteacher" not in r.summary + str(r.after) for r in lado_reads())


def test_pagination_links_do_not_repeat_arbitrary_query_arguments(client_request, login_as, people):
    login_as("lado")
    page = client_request.get("/lado/?sector=education&name=Sam+Smith")
    assert page.text_of("#contacts caption") == "Contacts 1 to 2 of 5"
    hrefs = pagination_hrefs(page)
    assert hrefs and all("sector=education" in h and "Sam" not in h and "name=" not in h for h in hrefs)
