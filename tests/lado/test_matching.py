"""People and organisations as entities (issue 11): the name key kept on every path, possible
previous concerns offered on the contact forms (the same name and date of birth, a near-miss
spelling, another name they are known by, the same organisation), linking or a new person, the
user's input kept across that round trip, a LADO manager's merge of duplicates (audited, so it
can be reversed; refused for a person into themselves, into a merged person, and by anyone
else), the import's count of possible duplicates, repeat concerns on the contact, referral,
person and organisation pages, and the person and organisation forms."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.conftest import BACKENDS, ROOT, base_config, blank_database
from tests.lado import factories
from tracker.core.interchange import FILES
from tracker.lado import matching
from tracker.lado.matching import MatchReason, SubjectChoice

D = dt.date
DOB = D(1980, 5, 17)
JOHN = "John Smith"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def date(prefix: str, day: dt.date | None) -> dict:
    parts = [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]
    return {prefix: parts}


def contact_form(**over) -> dict:
    """The quick contact form about a named person (everything a LADO may type)."""
    return {
        **date("contact_date", D(2023, 6, 1)),
        "employer_sector": "education",
        "disposition": "advice",
        "person_ref": "",
        "person_name": JOHN,
        **date("person_dob", DOB),
        "subject_role": "Teaching assistant",
        "organisation_ref": "",
        "organisation_name": "Brook Primary",
        "referrer_agency": "Head teacher",
        "categories": ["physical", "conduct"],
        "foster_carer_type": "",
        "foster_carer_agency": "",
        "summary": "Grabbed a pupil's arm in the playground",
    } | over


def location(page) -> str:
    return page.response.headers["Location"]


def people(app) -> list[tuple[str, str | None, int]]:
    """(ref, name, number of contacts) of every person, by reference."""
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoPerson

    with app.app_context():
        rows = db.session.execute(
            select(LadoPerson.ref, LadoPerson.name, func.count(LadoContact.contact_id))
            .outerjoin(LadoContact, LadoContact.person_ref == LadoPerson.ref)
            .group_by(LadoPerson.ref, LadoPerson.name)
            .order_by(LadoPerson.ref)
        )
        return [tuple(row) for row in rows]


def person(app, ref: str):
    from tracker.extensions import db
    from tracker.lado.models import LadoPerson

    with app.app_context():
        found = db.session.get(LadoPerson, ref)
        db.session.expunge(found)
        return found


def merge_version(page) -> str:
    """The version the merge form carries (the person's)."""
    return page.one("#merge input[name='version']")["value"]


def offered_ids(page) -> list[str]:
    return [i["value"] for i in page.select("input[name='person_match']")]


# --- the name key and the score ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("John Smith", "john smith"),
        ("Smith John", "john smith"),
        ("  SMITH,   john. ", "john smith"),
        ("Seán O'Brien-Smyth", "obrien sean smyth"),
        ("Zoë Ødegaard", "odegaard zoe"),
        ("Große", "grosse"),
        ("", None),
        (None, None),
        ("- , .", None),
    ],
)
def test_the_name_key_ignores_case_accents_punctuation_spaces_and_word_order(name, key):
    assert matching.name_key(name) == key


def test_the_name_key_fits_its_column():
    assert len(matching.name_key("a" * 150 + " " + "b" * 150)) <= matching.KEY_LENGTH


def test_similarity_scores_near_misses_between_the_thresholds():
    assert matching.similarity(JOHN, "smith, JOHN") == 100
    near = matching.similarity("Jon Smyth", JOHN)
    assert matching.SIMILAR_WITH_DOB <= near < matching.SIMILAR_NAME_ONLY  # a match only with the same birthday
    assert matching.similarity("Catherine Jones", "Katherine Jones") >= matching.SIMILAR_AT_ORGANISATION
    assert matching.similarity(JOHN, "John Paul Smith") == 95  # a middle name left out
    assert matching.similarity("Smith", JOHN) < matching.SIMILAR_WITH_DOB  # one word is not a middle name
    assert matching.similarity(JOHN, "Mary Jones") < 60
    assert matching.similarity(JOHN, None) == matching.similarity("", JOHN) == 0


def test_other_names_are_lines_added_once_by_key():
    assert matching.name_lines(" Jo Smith \n\n  J Smith\n") == ["Jo Smith", "J Smith"]
    assert matching.with_name("Jo Smith", "smith jo", "Joanne Smith", "", None) == "Jo Smith\nJoanne Smith"


def test_ordinals():
    assert [matching.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def test_a_choice_links_only_to_a_person_offered_and_a_new_person_only_once_all_were_offered():
    assert SubjectChoice.of("abc", "abc def").links_to() == "abc"
    assert SubjectChoice.of("xyz", "abc def").links_to() is None  # not offered: a forged choice
    assert SubjectChoice.of(matching.NEW_PERSON, "abc").links_to() is None
    assert SubjectChoice.of("", None) == SubjectChoice(None, frozenset())


# --- the key on every path -----------------------------------------------------------------------


def test_the_name_key_is_kept_on_every_insert_and_update_whatever_the_path(ctx):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoOrganisation, LadoPerson

    made = operations.find_or_create_person(None, "Smith, John", DOB)
    org = operations.find_or_create_organisation(None, "St. Mary's  School")
    db.session.add(LadoPerson(ref="IMPORTED", name="Direct  Row"))  # as the import or a test adds one
    db.session.flush()
    assert (made.name_key, org.name_key) == ("john smith", "marys school st")
    assert db.session.get(LadoPerson, "IMPORTED").name_key == "direct row"
    operations.update_person(made, name="Jon Smyth", date_of_birth=DOB, notes="")
    operations.update_organisation(org, name="Brook Primary", sector="education", urn="123456")
    assert (made.name_key, org.name_key) == ("jon smyth", "brook primary")
    # a row saved before keys were kept (no key) gets its key the next time it is saved
    db.session.execute(LadoPerson.__table__.update().values(name_key=None))
    db.session.expire_all()
    old = db.session.get(LadoPerson, made.ref)
    old.notes = "Saved again"
    db.session.flush()
    assert old.name_key == "jon smyth"
    # an organisation typed again with another spelling of its name is the same one
    assert operations.find_or_create_organisation(None, "brook  primary.").ref == org.ref
    assert db.session.scalar(select(func.count()).select_from(LadoOrganisation)) == 1


# --- possible matches ----------------------------------------------------------------------------


def test_candidates_by_name_date_of_birth_other_names_and_organisation(ctx):
    from tracker.extensions import db
    from tracker.lado import operations

    same = factories.contact(person_name=JOHN, person_dob=DOB).person
    other_day = factories.contact(person_name=JOHN, person_dob=D(1981, 1, 1)).person
    undated = factories.contact(person_name="Jonathan Smith").person
    alias = factories.contact(person_name="Ann Clark").person
    operations.update_person(alias, name="Ann Clark", date_of_birth=None, notes="", other_names="Annie Clarke\nA Hill")
    school = factories.contact(person_name="Katherine Jones", organisation_name="Brook Primary")
    stranger = factories.contact(person_name="Mary Jones", person_dob=DOB).person
    db.session.flush()

    def found(name, dob=None, organisations=()):
        return [(c.person.ref, c.reason) for c in matching.candidates(name, dob, organisations)]

    assert found(JOHN, DOB) == [(same.ref, MatchReason.same_name_and_dob)]  # not the other birthday
    assert found("Jon Smyth", DOB) == [(same.ref, MatchReason.similar_name_and_dob)]
    assert found("Jon Smyth") == []  # a near miss alone is not enough
    assert found("Smith John") == [(same.ref, MatchReason.similar_name), (other_day.ref, MatchReason.similar_name)]
    assert found("Jonathon Smith") == [(undated.ref, MatchReason.similar_name)]
    assert found("Annie Clark") == [(alias.ref, MatchReason.other_name)]
    assert found("Catherine Jones") == []
    assert found("Catherine Jones", organisations=[school.organisation_ref]) == [
        (school.person_ref, MatchReason.same_organisation)
    ]
    assert stranger.ref not in [ref for ref, _ in found(JOHN, DOB)]
    assert matching.candidates(None) == matching.candidates("  ") == []


def test_a_merged_person_is_never_offered_the_person_kept_is(ctx):
    from tracker.lado import operations

    kept = factories.contact(person_name="Johnny Smith").person
    duplicate = factories.contact(person_name=JOHN, person_dob=DOB).person
    operations.merge_persons(duplicate, into=kept)
    (candidate,) = matching.candidates(JOHN, DOB)
    assert candidate.person.ref == kept.ref and kept.date_of_birth == DOB  # taken from the duplicate
    assert matching.duplicates_of(duplicate) == []


# --- the contact form: possible previous concerns ------------------------------------------------


def test_the_second_contact_about_the_same_person_offers_the_first_and_linking_keeps_one_person(
    app, client_request, login_as, audit_rows
):
    login_as("lado", officer_id="L1")
    first = location(client_request.post("/lado/contacts/new", contact_form(disposition="referral")))
    first_contact = audit_rows("lado_contact.create")[0].object_id
    [(ref, name, count)] = people(app)
    assert (name, count) == (JOHN, 1) and first.startswith("/lado/referrals/")

    page = client_request.post("/lado/contacts/new", contact_form(summary="Shouted at a pupil"), status=200)
    assert page.errors == []  # a question, not yet an error
    assert page.text_of("#possible-matches .govuk-notification-banner__heading") == "Possible previous concerns"
    card = page.text_of("#match-1")
    assert f"{JOHN} ({ref})" in card and "Same name and date of birth" in card and "17 May 1980" in card
    assert page.table("#match-1 table")[0][:3] == ["1 Jun 2023", first_contact, "Referral (allegations process)"]
    assert "Pending" in page.table("#match-1 table")[0]
    public_id = person(app, ref).public_id
    assert offered_ids(page) == [public_id, matching.NEW_PERSON]
    assert page.value("offered") == public_id
    assert len(audit_rows("lado_contact.create")) == 1  # nothing saved yet

    saved = client_request.post(
        "/lado/contacts/new",
        contact_form(summary="Shouted at a pupil", person_match=public_id, offered=page.value("offered")),
    )
    assert location(saved).startswith("/lado/contacts/")
    assert people(app) == [(ref, JOHN, 2)]  # one person, two contacts: never a duplicate


def test_a_near_miss_spelling_with_the_same_birthday_is_offered_and_a_new_person_can_be_chosen(
    app, client_request, login_as
):
    login_as("lado")
    client_request.post("/lado/contacts/new", contact_form())
    [(ref, _, _)] = people(app)
    page = client_request.post("/lado/contacts/new", contact_form(person_name="Jon Smyth"), status=200)
    assert "Similar name and the same date of birth" in page.text_of("#match-1")
    assert offered_ids(page) == [person(app, ref).public_id, matching.NEW_PERSON]

    client_request.post(
        "/lado/contacts/new", contact_form(person_name="Jon Smyth", person_match="new", offered=page.value("offered"))
    )
    listed = people(app)
    assert [(name, count) for _, name, count in listed] == [(JOHN, 1), ("Jon Smyth", 1)]
    assert person(app, ref).other_names == ""  # not linked: the first person is unchanged


def test_linking_with_another_spelling_keeps_it_as_another_name(app, client_request, login_as):
    login_as("lado")
    client_request.post("/lado/contacts/new", contact_form())
    [(ref, _, _)] = people(app)
    public_id = person(app, ref).public_id
    client_request.post(
        "/lado/contacts/new", contact_form(person_name="Jon Smyth", person_match=public_id, offered=public_id)
    )
    assert people(app) == [(ref, JOHN, 2)]
    assert person(app, ref).other_names == "Jon Smyth"


def test_everything_typed_survives_the_round_trip(client_request, login_as):
    login_as("lado")
    client_request.post("/lado/contacts/new", contact_form())
    typed = contact_form(
        **date("contact_date", D(2023, 6, 2)),
        employer_sector="sport",
        disposition="no_further_action",
        person_name="Smith, John",
        subject_role="Coach",
        organisation_name="Riverside Club",
        referrer_agency="Parent",
        categories=["emotional"],
        foster_carer_type="connected",
        foster_carer_agency="own",
        summary="Comments on social media",
    )
    page = client_request.post("/lado/contacts/new", typed, status=200)
    assert offered_ids(page)  # the round trip happened
    assert [page.value(f"contact_date-{p}") for p in ("day", "month", "year")] == ["2", "6", "2023"]
    assert [page.value(f"person_dob-{p}") for p in ("day", "month", "year")] == ["17", "5", "1980"]
    for field in ("person_name", "subject_role", "organisation_name", "referrer_agency"):
        assert page.value(field) == typed[field], field
    assert page.value("summary") == "Comments on social media"
    assert page.one("#employer_sector option[selected]")["value"] == "sport"
    assert [i["value"] for i in page.select("input[name='disposition'][checked]")] == ["no_further_action"]
    assert [i["value"] for i in page.select("input[name='categories'][checked]")] == ["emotional"]
    assert page.one("#foster_carer_type option[selected]")["value"] == "connected"
    assert page.one("#foster_carer_agency option[selected]")["value"] == "own"


def test_not_choosing_is_an_error_and_a_new_person_needs_every_candidate_offered(
    app, client_request, login_as, audit_rows
):
    login_as("lado")
    client_request.post("/lado/contacts/new", contact_form())
    [(ref, _, _)] = people(app)
    first = person(app, ref).public_id
    page = client_request.post("/lado/contacts/new", contact_form(), status=200)
    offered = page.value("offered")
    page = client_request.post("/lado/contacts/new", contact_form(offered=offered), status=200)
    assert page.errors == ["Select whether the contact is about one of the people already known, or a new person"]
    assert page.field_error("person_match") == page.errors[0]
    # "new" chosen without having seen every candidate (a post made up, or a page opened before
    # another person was added): asked again, nothing saved
    page = client_request.post(
        "/lado/contacts/new", contact_form(person_match="new", offered="someone-else"), status=200
    )
    assert page.errors and offered_ids(page) == [first, matching.NEW_PERSON]
    page = client_request.post(
        "/lado/contacts/new", contact_form(person_match=first, offered="someone-else"), status=200
    )
    assert page.errors  # a person who was not offered is not linked
    assert len(audit_rows("lado_contact.create")) == 1 and len(people(app)) == 1


def test_no_match_no_question_and_a_reference_typed_is_a_choice(app, client_request, login_as):
    login_as("lado")
    client_request.post("/lado/contacts/new", contact_form())
    [(ref, _, _)] = people(app)
    client_request.post("/lado/contacts/new", contact_form(person_name="Mary Jones"))  # nobody like her
    client_request.post("/lado/contacts/new", contact_form(person_ref=ref))  # the person chosen by reference
    listed = people(app)
    assert [(name, count) for _, name, count in listed] == [(JOHN, 2), ("Mary Jones", 1)] and listed[0][0] == ref


def test_changing_the_subject_on_the_edit_form_offers_the_people_already_known(app, client_request, login_as):
    from tracker.extensions import db

    with app.app_context():
        known = factories.contact(D(2023, 1, 2), person_name=JOHN, person_dob=DOB).person
        other = factories.contact(D(2023, 2, 2), person_ref="P-OTHER")
        known_ref, known_public_id, contact_id, version = known.ref, known.public_id, other.contact_id, other.version
        db.session.commit()
    login_as("lado")
    edit = f"/lado/contacts/{contact_id}/edit"
    form = {
        **date("contact_date", D(2023, 2, 2)),
        "employer_sector": "education",
        "disposition": "advice",
        "person_ref": "",
        "person_name": "Jon Smith",
        **date("person_dob", DOB),
        "version": str(version),
    }
    page = client_request.post(edit, form, status=200)
    assert offered_ids(page) == [known_public_id, matching.NEW_PERSON] and page.errors == []
    client_request.post(edit, form | {"person_match": known_public_id, "offered": page.value("offered")})
    assert {r: c for r, _, c in people(app)}[known_ref] == 2
    # the subject unchanged: no question
    client_request.post(edit, form | {"person_ref": known_ref, "person_name": "", "version": str(version + 1)})


# --- merging duplicates --------------------------------------------------------------------------


@pytest.fixture
def twins(app):
    """Two records of John Smith: the kept one (two contacts) and a duplicate (one contact, at
    Brook Primary, with another name and an identifier); and a person merged into the duplicate
    before (one contact imported since)."""
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        kept = factories.contact(D(2022, 1, 3), person_ref="P-KEPT", person_name=JOHN, person_dob=DOB).person
        factories.contact(D(2023, 3, 1), person_ref="P-KEPT")
        duplicate = factories.contact(
            D(2023, 2, 1), person_ref="P-DUP", person_name="Smith John", organisation_name="Brook Primary"
        ).person
        operations.update_person(
            duplicate, name="Smith John", date_of_birth=None, notes="", other_names="Jonny Smith", identifiers="DBS 001"
        )
        older = factories.contact(D(2021, 5, 1), person_ref="P-OLDER", person_name="J Smith").person
        operations.merge_persons(older, into=duplicate)
        factories.contact(D(2023, 4, 1), person_ref="P-OLDER")  # imported later: the file's reference stands
        db.session.commit()
        return {p.ref: p.public_id for p in (kept, duplicate, older)}


def test_the_person_page_shows_possible_duplicates_and_a_manager_merges_them(
    app, client_request, login_as, twins, audit_rows
):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    login_as("lado_manager")
    url = f"/lado/people/{twins['P-KEPT']}"
    page = client_request.get(url)
    assert page.text_of("#possible-duplicates") == "Possible duplicates"
    assert "P-DUP" in page.text_of("#duplicate-1") and "Same or similar name" in page.text_of("#duplicate-1")
    assert [i["value"] for i in page.select("#merge input[name='duplicate']")] == [twins["P-DUP"]]
    with app.app_context():
        contacts = {c.contact_id: c.person_ref for c in db.session.scalars(select(LadoContact))}
    moving = sorted(cid for cid, ref in contacts.items() if ref in ("P-DUP", "P-OLDER"))
    assert len(moving) == 3  # the duplicate's, the one moved to it before, and the one imported since

    merged = client_request.post(
        f"{url}/merge", {"duplicate": twins["P-DUP"], "keep": "this", "version": merge_version(page)}
    )
    assert location(merged) == url
    assert people(app) == [("P-DUP", "Smith John", 0), ("P-KEPT", JOHN, 5), ("P-OLDER", "J Smith", 0)]
    kept, duplicate, older = person(app, "P-KEPT"), person(app, "P-DUP"), person(app, "P-OLDER")
    assert (duplicate.merged_into_ref, older.merged_into_ref) == ("P-KEPT", "P-KEPT")  # one step deep
    assert kept.other_names == "Jonny Smith\nJ Smith" and kept.identifiers == "DBS 001"  # "Smith John" is theirs

    (row,) = audit_rows("lado_person.merge")[-1:]
    assert (row.object_type, row.object_id) == ("lado_person", twins["P-DUP"])
    assert row.summary == f"Person {twins['P-DUP']} merged into person {twins['P-KEPT']}: 3 contacts moved"
    assert JOHN not in row.summary and "P-DUP" not in row.summary  # public ids only
    assert row.before["contacts"] == {cid: contacts[cid] for cid in moving}  # what reverses it
    assert row.after["contacts"] == dict.fromkeys(moving, "P-KEPT")
    assert row.before["duplicate"]["name"] == "Smith John" and row.before["duplicate"]["merged_into_ref"] is None
    assert row.before["duplicate"]["other_names"] == "Jonny Smith\nJ Smith"  # J Smith: merged into it before
    assert row.before["merged_into_duplicate"] == {"P-OLDER": "P-DUP"}
    assert row.after["merged_into_duplicate"] == {"P-OLDER": "P-KEPT"}
    assert (row.before["kept"]["other_names"], row.after["kept"]["other_names"]) == ("", "Jonny Smith\nJ Smith")

    page = client_request.get(url)
    assert len(page.table("#history table")) == 5  # every contact, and the one its file still names P-OLDER
    assert page.select("#possible-duplicates") == []
    page = client_request.get(f"/lado/people/{twins['P-DUP']}")
    assert page.text_of("#merged").startswith("This is a duplicate record: it was merged into person P-KEPT")
    assert page.links("#merged")["P-KEPT"] == url
    assert page.select("#merge") == []  # a merged person is not merged again


def test_a_person_is_merged_into_the_other_when_the_other_is_kept(app, client_request, login_as, twins):
    login_as("lado_manager")
    url = f"/lado/people/{twins['P-DUP']}"
    version = merge_version(client_request.get(url))
    merged = client_request.post(f"{url}/merge", {"other_ref": "P-KEPT", "keep": "other", "version": version})
    assert location(merged) == f"/lado/people/{twins['P-KEPT']}"
    assert person(app, "P-DUP").merged_into_ref == "P-KEPT"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"keep": "this"}, "Select or enter the other person"),
        ({"other_ref": "P-KEPT", "keep": "this"}, "A person cannot be merged into themselves"),
        (
            {"other_ref": "P-OLDER", "keep": "other"},
            "Person P-OLDER was merged into person P-DUP: merge into that person instead",
        ),
        ({"other_ref": "P-OLDER", "keep": "this"}, "Person P-OLDER was already merged into person P-DUP"),
        ({"other_ref": "NOBODY", "keep": "this"}, "No person has the reference NOBODY"),
        ({"other_ref": "P-DUP"}, "Select which record is kept"),
    ],
)
def test_a_merge_is_refused_with_a_clear_message(app, client_request, login_as, twins, audit_rows, data, message):
    login_as("lado_manager")
    url = f"/lado/people/{twins['P-KEPT']}"
    before = people(app)
    page = client_request.post(f"{url}/merge", data, status=200)
    assert page.errors == [message]
    assert people(app) == before and len(audit_rows("lado_person.merge")) == 1  # the fixture's only


def test_only_a_lado_manager_merges(app, client, client_request, login_as, twins, audit_rows):
    login_as("lado")
    url = f"/lado/people/{twins['P-KEPT']}"
    page = client_request.get(url)
    assert page.select("#merge") == [] and page.text_of("#possible-duplicates") == "Possible duplicates"
    client_request.post(f"{url}/merge", {"duplicate": twins["P-DUP"], "keep": "this"}, status=403)
    assert person(app, "P-DUP").merged_into_ref is None and len(audit_rows("lado_person.merge")) == 1


# --- repeat concerns -----------------------------------------------------------------------------


def test_repeat_concerns_count_the_contacts_about_the_same_person_in_two_years(app, client_request, login_as):
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        old = factories.contact(D(2020, 1, 1), person_ref="P-R", person_name=JOHN, organisation_ref="ORG-R")
        factories.contact(D(2022, 6, 1), person_ref="P-R", organisation_ref="ORG-R")
        duplicate = factories.contact(D(2022, 9, 1), person_ref="P-R2", person_name=JOHN).person
        operations.merge_persons(duplicate, into=old.person)
        factories.contact(D(2022, 10, 1), person_ref="P-R2")  # about the duplicate, after the merge
        latest = factories.referral(D(2023, 1, 10), person_ref="P-R", organisation_ref="ORG-R")
        contact_id, referral_id, public_id = latest.contact_id, latest.referral_id, old.person.public_id
        first_contact = old.contact_id
        db.session.commit()
    login_as("lado")
    page = client_request.get(f"/lado/contacts/{contact_id}")
    # 1 June 2022, 1 September 2022 (merged), 1 October 2022 (about the duplicate) and this one
    assert page.texts("#repeat-concerns li") == [
        "The 4th contact about this person in 2 years: see their history",
        "The 2nd contact about organisation ORG-R in 2 years: see the organisation’s contacts",
    ]
    assert page.links("#repeat-concerns")["see their history"] == f"/lado/people/{public_id}#history"
    assert page.links("#repeat-concerns")["see the organisation’s contacts"] == "/lado/organisations/ORG-R#history"
    assert (
        client_request.get(f"/lado/referrals/{referral_id}")
        .texts("#repeat-concerns li")[0]
        .startswith("The 4th contact about this person in 2 years")
    )
    first = client_request.get(f"/lado/contacts/{first_contact}")
    assert first.texts("#repeat-concerns li")[0].startswith("The 1st contact about this person in 2 years")
    page = client_request.get(f"/lado/people/{public_id}")
    assert page.summary()["Repeat concerns"] == (
        "4 contacts about this person in the 2 years to 30 June 2023: see their history"
    )
    assert len(page.table("#history table")) == 5  # across years, the duplicate's included
    page = client_request.get("/lado/organisations/ORG-R")
    assert page.summary()["Repeat concerns"] == (
        "2 contacts about this organisation in the 2 years to 30 June 2023: see them below"
    )
    assert len(page.table("#history table")) == 3


def test_the_repeat_count_is_one_query(app):
    from sqlalchemy import event

    from tracker.extensions import db

    with app.app_context():
        for day in (D(2022, 1, 1), D(2022, 2, 1), D(2022, 3, 1)):
            factories.contact(day, person_ref="P-Q")
        db.session.commit()
        ran = []
        listener = lambda *args: ran.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert matching.contacts_in_two_years(day=D(2022, 3, 1), person_ref="P-Q") == 3
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(ran) == 1


# --- the person and organisation forms ----------------------------------------------------------


def test_the_person_form_changes_other_names_and_identifiers(app, client_request, login_as, audit_rows):
    from tracker.extensions import db

    with app.app_context():
        made = factories.contact(person_ref="P-F", person_name=JOHN, person_dob=DOB).person
        url, version = f"/lado/people/{made.public_id}", made.version
        db.session.commit()
    login_as("lado")
    client_request.post(
        url,
        {
            "name": "John Smith",
            "other_names": " Jon Smyth \n\nJohnny Smith",
            **date("date_of_birth", DOB),
            "identifiers": "Staff 42",
            "notes": "",
            "version": str(version),
        },
    )
    saved = person(app, "P-F")
    assert (saved.other_names, saved.identifiers, saved.name_key) == (
        "Jon Smyth\nJohnny Smith",
        "Staff 42",
        "john smith",
    )
    page = client_request.get(url)
    assert page.summary()["Other names"] == "Jon Smyth Johnny Smith" and page.summary()["Identifiers"] == "Staff 42"
    row = audit_rows("lado_person.update")[-1]
    assert row.after == {"changed": ["other_names", "identifiers"]}


def test_the_organisation_form_changes_name_sector_and_urn_audited(app, client_request, login_as, audit_rows):
    from tracker.extensions import db
    from tracker.lado.models import LadoOrganisation

    with app.app_context():
        factories.contact(organisation_ref="ORG-F", organisation_name="Brook School")
        db.session.commit()
    login_as("lado")
    url = "/lado/organisations/ORG-F"
    page = client_request.post(url, {"name": "Brook Primary", "sector": "education", "urn": "12 34"}, status=200)
    assert page.field_error("urn").startswith("The URN can only contain")
    saved = client_request.post(url, {"name": "Brook Primary", "sector": "education", "urn": "123456"})
    assert location(saved) == url
    page = client_request.get(url)
    assert page.h1 == "Brook Primary"
    assert (page.summary()["Sector"], page.summary()["URN"]) == ("Education", "123456")
    (row,) = audit_rows("lado_organisation.update")
    assert (row.object_id, row.summary) == ("ORG-F", "Organisation ORG-F updated")
    assert row.before == {"name": "Brook School", "sector": None, "urn": None}
    assert row.after == {"name": "Brook Primary", "sector": "education", "urn": "123456"}
    with app.app_context():
        assert db.session.get(LadoOrganisation, "ORG-F").name_key == "brook primary"
    login_as("qaro", email="q@example.org")
    client_request.post(url, {"name": "Changed"}, status=403)


# --- the import ---------------------------------------------------------------------------------


def test_the_import_never_merges_but_counts_possible_duplicates(app, runner, tmp_path, login_as, client_request):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        factories.contact(D(2023, 1, 2), person_ref="P-A", person_name=JOHN, person_dob=DOB)
        factories.contact(D(2023, 1, 3), person_ref="P-B", person_name="Smith, John", person_dob=DOB)
        db.session.commit()
    header = ",".join(column.name for column in FILES["lado_contacts.csv"])
    (tmp_path / "lado_contacts.csv").write_text(
        f"{header}\nC1,2023-02-10,School,education,Teacher,P-A,ORG1,physical,advice,,\n"
        f"C2,2023-02-11,School,education,Teacher,P-NEW,ORG1,physical,advice,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "lado_contacts.csv: possible duplicate people: 1" in result.output.splitlines()
    refs = {ref: count for ref, _, count in people(app)}
    assert refs == {"P-A": 2, "P-B": 1, "P-NEW": 1}  # the file's subject_ref stands: nothing merged
    with app.app_context():
        row = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "data.import")).one()
        assert row.after["notes"] == {"lado_contacts.csv: possible duplicate people": 1}
        assert row.summary.endswith("; lado_contacts.csv: possible duplicate people 1")
    login_as("lado_manager")
    page = client_request.get(f"/lado/people/{person(app, 'P-A').public_id}")
    assert "P-B" in page.text_of("#duplicate-1") and "Same name and date of birth" in page.text_of("#duplicate-1")


# --- the migration ---------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URI of an empty database of each backend (dropped afterwards)."""
    with blank_database(request.param, tmp_path, "matching") as uri:
        yield uri


def test_the_migration_keys_the_names_already_recorded_as_the_application_would(empty_database):
    """People and organisations recorded before issue 11 are offered as matches too: the
    migration gives them the key the application gives a new record."""
    import flask_migrate
    from sqlalchemy import text

    import tracker

    names = {"P0001": "Zoë O'Brien-Smith", "P0002": "  JOHN   smith ", "P0003": None, "P0004": "Łukasz Ørsted"}
    app = tracker.create_app(base_config(empty_database))
    with app.app_context():
        from tracker.extensions import db

        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="0008_lado_person_public_id")
        with db.engine.begin() as conn:
            for n, (ref, name) in enumerate(names.items()):
                conn.execute(
                    text("INSERT INTO lado_persons (ref, name, notes, public_id) VALUES (:ref, :name, '', :pid)"),
                    {"ref": ref, "name": name, "pid": f"public{n:010d}"},
                )
            conn.execute(text("INSERT INTO lado_organisations (ref, name) VALUES ('O1', 'St. Mary''s School')"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="head")
        with db.engine.connect() as conn:
            keys = dict(conn.execute(text("SELECT ref, name_key FROM lado_persons")).tuples().all())
            organisation = conn.execute(text("SELECT name_key FROM lado_organisations")).scalar_one()
        db.engine.dispose()
    assert keys == {ref: matching.name_key(name) for ref, name in names.items()}
    assert keys["P0001"] == matching.name_key("Zoe OBrien Smith") == "obrien smith zoe"
    assert keys["P0002"] == "john smith" and keys["P0003"] is None
    assert organisation == matching.name_key("St Marys School") == "marys school st"
