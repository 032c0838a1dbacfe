"""Every LADO page is an audited read, written by the request lifecycle (domain.md §1): one
GET of any page of the ``lado`` blueprint that answers below 400 writes exactly one
``lado_record.read`` row — naming the record for a page about one record, the page (and the
references it listed) otherwise — and a page that fails writes none."""

from __future__ import annotations

import pytest

from tests.lado.factories import NAMES

# the record a page is about, by the rule's argument (``ref`` names an organisation; a person's
# page is at their public id, and its read row names their reference)
RECORD_ARGUMENTS = {
    "contact_id": "lado_contact",
    "referral_id": "lado_referral",
    "meeting_id": "lado_meeting",
    "action_id": "lado_action",
    "public_id": "lado_person",
}
REF_RECORDS = {"lado.organisation": "lado_organisation"}
MANAGER_PAGES = {"lado.oversight", "lado.queue", "lado.retention", "lado.audit_log"}  # capability lado.oversight
REDIRECTS = {"lado.complete_action", "lado.review_action"}  # forms on the action's page: GET goes there
# removed by their author or a LADO manager: the seeded meeting and action have no author (no request)
REMOVALS = {"lado.remove_meeting", "lado.remove_action"}


def values_for(rule, seeded) -> dict[str, str]:
    """Real references of the seeded records for a rule's arguments (the advice contact for the
    progress page: the referral's contact is a referral already, and would be redirected)."""
    refs = {
        "contact_id": seeded.advice_contact_id if rule.endpoint == "lado.progress" else seeded.contact_id,
        "referral_id": seeded.referral_id,
        "meeting_id": seeded.meeting_id,
        "action_id": seeded.action_id,
        "ref": seeded.organisation_ref,
        "public_id": seeded.person_public_id,
    }
    return {argument: refs[argument] for argument in rule.arguments}


def expected_object(rule, values, seeded) -> tuple[str, str]:
    """(object_type, object_id) of the read row: the record (a person by reference, never by the
    public id of the URL), or the page itself."""
    if not rule.arguments:
        return "lado_page", rule.endpoint
    (argument,) = rule.arguments
    record_type = REF_RECORDS[rule.endpoint] if argument == "ref" else RECORD_ARGUMENTS[argument]
    return record_type, values[argument]


def login_as_existing(client, user) -> None:
    """Sign the client in as a user made by ``login_as`` (to switch between two)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def test_the_sweep_covers_every_lado_page(lado_get_rules):
    endpoints = {r.endpoint for r in lado_get_rules}
    assert len(endpoints) == len(lado_get_rules) >= 24
    assert {"lado.index", "lado.referral", "lado.edit_meeting", "lado.person", "lado.retention"} <= endpoints
    assert all(set(r.arguments) <= {*RECORD_ARGUMENTS, "ref"} for r in lado_get_rules)
    assert {r.endpoint for r in lado_get_rules if r.arguments == {"ref"}} == set(REF_RECORDS)


def test_every_lado_page_writes_exactly_one_read_row(  # and a redirect writes none
    app, client, login_as, seeded, lado_get_rules, build_url, lado_reads
):
    users = {"lado": login_as("lado"), "lado_manager": login_as("lado_manager")}
    checked = []
    for rule in lado_get_rules:
        role = "lado_manager" if rule.endpoint in MANAGER_PAGES | REMOVALS else "lado"
        login_as_existing(client, users[role])
        values = values_for(rule, seeded)
        url = build_url(rule, **values)
        before = len(lado_reads())
        status = client.get(url).status_code
        assert status == (302 if rule.endpoint in REDIRECTS else 200), (url, status)
        new = lado_reads()[before:]
        if rule.endpoint in REDIRECTS:  # a redirect shows no page: nothing was read
            assert new == [], (url, new)
            checked.append(rule.endpoint)
            continue
        assert len(new) == 1, (url, new)
        (row,) = new
        assert (row.object_type, row.object_id) == expected_object(rule, values, seeded), url
        assert row.user_id == users[role].id
        for name in NAMES:
            assert name not in row.summary and name not in str(row.after), (url, row)
        checked.append(rule.endpoint)
    assert len(checked) == len(lado_get_rules)


@pytest.mark.parametrize(
    "path, endpoint, object_type, ref",
    [
        ("/lado/referrals/{referral_id}", "lado.referral", "lado_referral", "referral_id"),
        ("/lado/contacts/{contact_id}", "lado.contact", "lado_contact", "contact_id"),
        ("/lado/actions/{action_id}", "lado.action", "lado_action", "action_id"),
        ("/lado/people/{person_public_id}", "lado.person", "lado_person", "person_public_id"),
        ("/lado/organisations/{organisation_ref}", "lado.organisation", "lado_organisation", "organisation_ref"),
    ],
)
def test_a_record_page_names_its_record_and_no_names(
    client_request, login_as, seeded, lado_reads, path, endpoint, object_type, ref
):
    user = login_as("lado")
    client_request.get(path.format(**vars(seeded)))
    (row,) = lado_reads()
    assert (row.object_type, row.object_id, row.user_id) == (object_type, getattr(seeded, ref), user.id)
    assert row.summary == f"Viewed {endpoint} {getattr(seeded, ref)}" and row.after is None


@pytest.mark.parametrize(
    "path",
    [
        "/lado/referrals/LR99999",
        "/lado/contacts/LC99999",
        "/lado/contacts/LC99999/edit",
        "/lado/meetings/LM999999/edit",
        "/lado/actions/LA999999",
        "/lado/people/P9999",
        "/lado/people/{person_ref}",  # a person's page is at their public id only
        "/lado/organisations/ORG999",
        "/lado/referrals/LR99999/outcome",
    ],
)
def test_a_lado_page_that_fails_writes_no_read_row(client_request, login_as, seeded, lado_reads, path):
    login_as("lado")
    client_request.get(path.format(**vars(seeded)), status=404)
    assert lado_reads() == []


def test_a_refused_page_writes_no_read_row(client_request, login_as, lado_reads):
    login_as("lado")  # oversight is the manager's
    client_request.get("/lado/oversight", status=403)
    client_request.get("/lado/retention", status=403)
    assert lado_reads() == []


@pytest.mark.parametrize(
    "path, object_type, ref",
    [
        ("/lado/contacts/new", "lado_page", None),
        ("/lado/contacts/{advice_contact_id}/edit", "lado_contact", "advice_contact_id"),
        ("/lado/contacts/{advice_contact_id}/referral", "lado_contact", "advice_contact_id"),
        ("/lado/referrals/{referral_id}/details", "lado_referral", "referral_id"),
        ("/lado/referrals/{referral_id}/outcome", "lado_referral", "referral_id"),
        ("/lado/referrals/{referral_id}/dbs", "lado_referral", "referral_id"),
        ("/lado/referrals/{referral_id}/close", "lado_referral", "referral_id"),
        ("/lado/referrals/{referral_id}/meetings/new", "lado_referral", "referral_id"),
        ("/lado/referrals/{referral_id}/actions/new", "lado_referral", "referral_id"),
        ("/lado/meetings/{meeting_id}/edit", "lado_meeting", "meeting_id"),
        ("/lado/actions/{action_id}/complete", "lado_action", "action_id"),
        ("/lado/people/{person_public_id}", "lado_person", "person_public_id"),
    ],
)
def test_a_form_shown_again_after_a_refused_post_is_an_audited_read(
    client_request, login_as, seeded, lado_reads, path, object_type, ref
):
    """Issue 10, finding 5: the LADO edit forms and referral steps re-shown after a failed
    validation showed LADO records without an audit row."""
    login_as("lado")
    data = {"outcome_date": ["31", "2", "2023"], "completed_date": ["31", "2", "2023"], "closed_date": ["99", "1", "2023"],
            "dbs_referral_date": ["31", "2", "2023"], "date_of_birth": ["31", "2", "1980"], "meeting_date": ["31", "2", "2023"],
            "contact_date": ["31", "2", "2023"], "referral_date": ["31", "2", "2023"], "description": "", "officer_id": "x" * 41}  # fmt: skip
    page = client_request.post(path.format(**vars(seeded)), data, status=200)
    assert page.errors, "the post must be refused and the form shown again"
    (row,) = lado_reads()
    assert (row.object_type, row.object_id) == (
        (object_type, getattr(seeded, ref)) if ref else ("lado_page", "lado.new_contact")
    )
