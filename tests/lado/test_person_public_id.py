"""Security finding 10: a LADO person's reference may be a name-like string from the case system
("JSmith-1980"), so it never goes in a URL (access logs, browser history). A person's page is at
their random public id, set on every insert (operations, import, migration); every link to it is
``record_url("lado_person", person)``; the audited read still names the reference; list pages load
the public id in their own query (no query per row)."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS, ROOT, base_config, blank_database
from tests.lado import factories

D = dt.date
REF = "JSmith-1980"
NAME = "Jo Smith"
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{16}")  # secrets.token_urlsafe(12): 96 random bits


@dataclass(frozen=True)
class Smith:
    public_id: str
    old_contact_id: str  # 1 January 2012 (past retention), at the organisation
    contact_id: str  # the referral's contact, 2 January 2023
    referral_id: str
    action_id: str
    organisation_ref: str

    @property
    def url(self) -> str:
        return f"/lado/people/{self.public_id}"


@pytest.fixture
def smith(app) -> Smith:
    from tracker.extensions import db

    with app.app_context():
        old = factories.contact(D(2012, 1, 1), person_ref=REF, person_name=NAME, organisation_name="Hill School")
        made = factories.referral(D(2023, 1, 2), person_ref=REF, organisation_ref=old.organisation_ref)
        action = factories.action(made, "Training", owner="LM1", due_date=D(2023, 1, 20))
        db.session.commit()
        return Smith(
            old.person.public_id,
            old.contact_id,
            made.contact_id,
            made.referral_id,
            action.action_id,
            old.organisation_ref,
        )


def assert_no_ref_in_urls(page, url: str) -> None:
    """No URL of the page names the person by reference. (A raw check is sound here: it asserts an
    absence, and no token or attribute of the page can hold this string by chance.)"""
    html = page.response.get_data(as_text=True)
    assert f"/lado/people/{REF}" not in html, url
    for element in page.soup.find_all(True):
        for attribute in ("href", "action", "src", "formaction"):
            assert REF not in (element.get(attribute) or ""), (url, element)


def test_a_person_gets_a_random_url_safe_public_id_by_every_path(app, smith):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoPerson

    with app.app_context():
        named = operations.find_or_create_person(None, "Sam Other")  # a generated reference
        db.session.add(LadoPerson(ref="P-direct"))  # a row added directly (as the import does)
        db.session.flush()
        ids = [p.public_id for p in db.session.query(LadoPerson)]
        assert named.public_id in ids and len(ids) == 3
    assert smith.public_id in ids
    assert all(PUBLIC_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    assert REF not in smith.public_id


def test_links_to_the_person_go_to_the_public_id_and_no_page_has_the_reference_in_a_url(
    app, client_request, login_as, smith, lado_get_rules, build_url
):
    login_as("lado_manager", officer_id="LM1")
    linked = {
        "/lado/": None,
        f"/lado/contacts/{smith.contact_id}": None,
        f"/lado/referrals/{smith.referral_id}": None,
        f"/lado/organisations/{smith.organisation_ref}": None,
        "/lado/retention": "#retention",
    }
    for url, scope in linked.items():
        page = client_request.get(url)
        assert page.links(scope or "main")[NAME] == smith.url, url  # the link names the person (reference beside it)

    values = {
        "contact_id": smith.old_contact_id,  # without a referral: its progress page is a page
        "referral_id": smith.referral_id,
        "action_id": smith.action_id,
        "public_id": smith.public_id,
        "ref": smith.organisation_ref,
    }
    with app.app_context():
        from tracker.extensions import db
        from tracker.lado.models import LadoReferral

        meeting = factories.meeting(db.session.get(LadoReferral, smith.referral_id), "iem", D(2023, 1, 4))
        values["meeting_id"] = meeting.meeting_id
        db.session.commit()
    swept = ["/", "/worklist/", "/worklist/mine"]
    for rule in lado_get_rules:
        if rule.endpoint in ("lado.complete_action", "lado.review_action"):  # GET redirects to the action
            continue
        swept.append(build_url(rule, **{argument: values[argument] for argument in rule.arguments}))
    for url in swept:
        assert_no_ref_in_urls(client_request.get(url), url)

    # the search results (posted; the result pages carry no criteria)
    client_request.post("/lado/search", {"name": "smith"})
    page = client_request.get("/lado/search")
    assert page.table("#people") == [[REF, NAME, ""]]
    assert page.links("#people")[REF] == smith.url
    assert_no_ref_in_urls(page, "/lado/search")


def test_the_person_page_is_found_by_public_id_only_and_its_read_names_the_public_id(
    client_request, login_as, smith, lado_reads
):
    user = login_as("lado")
    client_request.get(f"/lado/people/{REF}", status=404)
    client_request.get("/lado/people/" + "A" * 16, status=404)
    assert lado_reads() == []  # a page not found read nothing

    page = client_request.get(smith.url)
    assert page.h1 == f"Person {REF}" and page.summary()["Name"] == NAME
    assert [row[0] for row in page.table("table")] == [smith.old_contact_id, smith.contact_id]
    (row,) = lado_reads()
    assert (row.object_type, row.object_id, row.user_id) == ("lado_person", smith.public_id, user.id)
    assert row.summary == f"Viewed lado.person {smith.public_id}" and NAME not in row.summary and row.after is None
    assert REF not in row.summary  # the log names the person by the public id, never the reference


def test_saving_the_person_redirects_to_the_public_id_and_audits_it_by_the_public_id(
    client_request, login_as, smith, audit_rows
):
    login_as("lado")
    response = client_request.post(smith.url, {"notes": "Moved school"}).response
    assert response.headers["Location"] == smith.url
    assert client_request.get(smith.url).banner == "Success Person saved."
    (row,) = audit_rows("lado_person.update")
    assert (row.object_type, row.object_id) == ("lado_person", smith.public_id)
    page = client_request.post(smith.url, {"date_of_birth": ["31", "12", "2023"]}, status=200)
    assert page.field_error("date_of_birth") == "The date of birth must be today or in the past"
    assert_no_ref_in_urls(page, smith.url)


def test_record_url_takes_the_person_never_the_reference(app, smith):
    from tracker.extensions import db
    from tracker.lado.models import LadoPerson
    from tracker.web.records import record_url

    with app.app_context():  # no request: as a job building an e-mail would
        person = db.session.get(LadoPerson, REF)
        assert record_url("lado_person", person) == smith.url
        assert record_url("lado_person", None) is None
        with pytest.raises(TypeError, match="takes the record"):
            record_url("lado_person", REF)
        assert (
            record_url("lado_organisation", smith.organisation_ref) == f"/lado/organisations/{smith.organisation_ref}"
        )


def test_importing_a_contact_about_a_new_person_gives_them_a_public_id(app, runner, tmp_path, login_as, client_request):
    from tracker.core.interchange import FILES
    from tracker.extensions import db
    from tracker.lado.models import LadoPerson

    header = ",".join(column.name for column in FILES["lado_contacts.csv"])
    (tmp_path / "lado_contacts.csv").write_text(
        f"{header}\nC1,2023-01-10,School,education,Teacher,{REF},ORG1,physical,advice,,\n"
        f"C2,2023-01-11,School,education,Teacher,KBrown-1975,ORG1,physical,advice,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        people = {p.ref: p.public_id for p in db.session.query(LadoPerson)}
    assert set(people) == {REF, "KBrown-1975"}
    assert all(PUBLIC_ID.fullmatch(i) for i in people.values()) and len(set(people.values())) == 2
    login_as("lado")
    assert client_request.get("/lado/contacts/C1").links()[REF] == f"/lado/people/{people[REF]}"
    assert client_request.get(f"/lado/people/{people[REF]}").h1 == f"Person {REF}"


# --- list pages stay set-based ---------------------------------------------------------------------


@contextmanager
def statements(app):
    """The SQL statements run inside the block (a list that fills as they run)."""
    from sqlalchemy import event

    from tracker.extensions import db

    ran: list[str] = []

    def count(conn, cursor, statement, *args):
        ran.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize(
    "url",
    ["/lado/", "/lado/organisations/ORG9", "/lado/people/{public_id}", "/lado/retention", "/lado/search"],
)
def test_a_list_of_contacts_loads_its_subjects_in_its_own_query(app, client_request, login_as, url):
    """As many statements for a page of two contacts as for a page of six (each about another
    person, at another organisation for the person's page)."""
    from tracker.extensions import db

    login_as("lado_manager")

    def shown(n: int) -> int:
        with app.app_context():
            first = None
            for i in range(n):
                contact = factories.contact(
                    D(2012, 1, 1 + i),
                    person_ref=f"Seen-{n}-{i}" if url != "/lado/people/{public_id}" else f"Seen-{n}",
                    # another name in each run: a person's page also shows their possible duplicates
                    person_name=f"{'Sam' if n == 2 else 'Kim'} Seen{i}",
                    organisation_ref="ORG9" if url != "/lado/people/{public_id}" else f"ORG{n}{i}",
                )
                first = first or contact
            public_id = first.person.public_id
            db.session.commit()
        if url == "/lado/search":
            client_request.post("/lado/search", {"name": f"seen-{n}"})
        client_request.get(url.format(public_id=public_id))  # anything done once per process is done
        with statements(app) as ran:
            client_request.get(url.format(public_id=public_id))
        return len(ran)

    two = shown(2)
    assert shown(6) == two


# --- the migration ---------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URI of an empty database of each backend (dropped afterwards)."""
    with blank_database(request.param, tmp_path, "migrated") as uri:
        yield uri


def test_the_migration_gives_every_existing_person_a_public_id(empty_database):
    import flask_migrate
    from sqlalchemy.exc import IntegrityError

    import tracker

    app = tracker.create_app(base_config(empty_database))
    with app.app_context():
        from tracker.extensions import db

        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="0007_drop_sign_in_counters")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO lado_persons (ref, notes) VALUES ('JSmith-1980', ''), ('P0001', '')"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="head")
        with db.engine.connect() as conn:
            ids = dict(conn.execute(text("SELECT ref, public_id FROM lado_persons")).tuples().all())
        assert set(ids) == {REF, "P0001"}
        assert all(PUBLIC_ID.fullmatch(i) for i in ids.values()) and len(set(ids.values())) == 2
        for duplicate in ({"ref": "P0002", "public_id": ids[REF]}, {"ref": "P0003", "public_id": None}):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:  # unique, not null
                conn.execute(
                    text("INSERT INTO lado_persons (ref, notes, public_id) VALUES (:ref, '', :public_id)"), duplicate
                )
        db.engine.dispose()
