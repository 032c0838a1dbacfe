"""Property-based tests (hypothesis) of every form and of the import (issue 10, "Input").

- Every POST route of the application (read from its URL map: a new route is fuzzed without
  a word here), signed in holding every role: its forms are found by posting to it once
  (``tests.inputs.forms_bound_by``), and values for their fields are generated from the field
  classes — random text with control characters, huge strings, odd numbers, odd and missing
  date boxes, unknown choices, missing fields. The answer is never a server error, and a
  refused submission (a form shown again with its errors, or a 4xx) changes no table.
- Every GET page whose form reads the query string (filters) gets the same treatment.
- ``import-data`` gets random rows for every file of ``interchange.FILES`` (ids drawn from one
  small pool, so that some imports go through): the command never crashes (exit code 0, or
  1 with located problems) and a refused import changes no table.

Examples per property: ``TRACKER_FUZZ_EXAMPLES`` (12 by default: with over 400 routes on two
databases the file was a third of the suite's time at 25; each run draws new examples, and
``TRACKER_FUZZ_EXAMPLES=100`` runs a deeper sweep). Failing examples are replayed from
``.hypothesis/`` on the next run.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import BooleanField, DateField, IntegerField, SelectFieldBase, SelectMultipleField, SubmitField
from wtforms.csrf.core import CSRFTokenField

from tests import inputs
from tests.pages import Page
from tracker.core import interchange
from tracker.core.forms import GovDate, GovMonth

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "12"))
settings.register_profile(
    "tracker-fuzz",
    max_examples=EXAMPLES,
    deadline=None,  # a page takes what it takes on a shared machine; only the answer is checked
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("tracker-fuzz")

RULES = inputs.app_rules()  # also registers every importer
POST_RULES = [r for r in RULES if "POST" in r.methods]
GET_RULES = [r for r in RULES if "GET" in r.methods and r.endpoint not in ("static", "govuk_assets")]
XSS = "<img src=x onerror=alert(1)>"

# --- values ---------------------------------------------------------------------------------------

ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "\x7f",
        "line\r\nbreak",
        "\ttab",
        XSS,
        "a/b",
        "../..",
        "%",
        "_",
        "%_\\",
        "'; DROP TABLE users;--",
        "9" * 20,
        "-1",
        "0",
        "1e309",
        "NaN",
        "é",
        "\u202e",
        "\ufeff",
        "😀",
    ]
)
HUGE = st.integers(min_value=1_000, max_value=200_000).map(lambda n: "x" * n)
TEXT = st.one_of(st.text(max_size=40), ODD, HUGE)
SHORT = st.one_of(st.text(max_size=6), ODD)
BOX = st.one_of(st.integers(min_value=-1, max_value=32).map(str), SHORT, st.just("9" * 20))
DAYS = st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2130, 12, 31))
DATE_BOXES = st.one_of(
    DAYS.map(lambda d: [str(d.day), str(d.month), str(d.year)]),  # a real date, in or out of the range
    st.tuples(BOX, BOX, st.one_of(BOX, st.integers().map(str))).map(list),
    st.lists(BOX, max_size=5),  # boxes missing or too many
)
MONTH_BOXES = st.one_of(
    DAYS.map(lambda d: [str(d.month), str(d.year)]),  # a real month, in or out of the range
    st.tuples(BOX, st.one_of(BOX, st.integers().map(str))).map(list),
    st.lists(BOX, max_size=4),  # boxes missing or too many
)
ISO_DATE = st.one_of(st.sampled_from(["0001-01-01", "9999-12-31", "2023-02-30"]), DAYS.map(dt.date.isoformat), SHORT)
NUMBER = st.one_of(st.integers().map(str), st.integers(min_value=-1000, max_value=1000).map(str), SHORT)

# Values a user would type: the world's references, words, dates around today (TODAY, 30 June 2023).
RECENT = st.dates(min_value=dt.date(2023, 3, 1), max_value=dt.date(2023, 6, 30))  # after every seeded date
WORDS = st.sampled_from(
    ["C00001", "Q1", "L1", "P0001", "ORG001", "Jo Smith", "North", "Teacher", "Investigate", "new@example.org"]
)


def field_values(field, shown: dict[str, str]):
    """(plausible, any): values a user would post for one field, and anything at all (a list
    for a field of several values)."""
    if isinstance(field, GovDate):
        return RECENT.map(lambda d: [str(d.day), str(d.month), str(d.year)]), DATE_BOXES
    if isinstance(field, GovMonth):
        return RECENT.map(lambda d: [str(d.month), str(d.year)]), MONTH_BOXES
    if isinstance(field, DateField):
        return RECENT.map(dt.date.isoformat), ISO_DATE
    if isinstance(field, IntegerField):
        return st.integers(min_value=-30, max_value=30).map(str), NUMBER
    if isinstance(field, SubmitField):  # (a BooleanField too)
        return st.just(field.label.text), st.sampled_from([field.label.text, ""])
    if isinstance(field, BooleanField):
        return st.sampled_from(["y", ""]), st.sampled_from(["y", "on", "false", "", "\x00"])
    if isinstance(field, SelectFieldBase):
        codes = [str(c[0]) for c in _choices(field)]
        known = st.sampled_from(codes) if codes else SHORT
        if isinstance(field, SelectMultipleField):
            return st.lists(known, min_size=1, max_size=2), st.lists(st.one_of(known, SHORT), max_size=4)
        return known, st.one_of(known, SHORT)
    if field.name in shown:  # a hidden field as the page gave it (a record's version)
        return st.just(shown[field.name]), st.one_of(st.just(shown[field.name]), NUMBER)
    if field.type == "PasswordField":
        return st.just("correct horse battery staple"), TEXT
    return WORDS, TEXT


def form_data(fields: dict[str, tuple]):
    """Posted data: every field as a user would fill it in, with up to two fields left out or
    given anything at all; or any subset of the fields, each given anything at all."""
    names = sorted(fields)

    @st.composite
    def mostly_plausible(draw):
        data = draw(st.fixed_dictionaries({name: fields[name][0] for name in names}))
        for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else ():
            if draw(st.booleans()):
                del data[name]
            else:
                data[name] = draw(fields[name][1])
        return data

    return st.one_of(mostly_plausible(), st.fixed_dictionaries({}, optional={n: fields[n][1] for n in names}))


def _choices(field):
    try:
        return list(field.iter_choices()) if field.choices else []
    except (TypeError, ValueError):
        return []


def fields_of(forms, shown: dict[str, str]) -> dict[str, tuple]:
    fields = {}
    for form in forms:
        for field in form:
            if not isinstance(field, CSRFTokenField) and field.name not in fields:
                fields[field.name] = field_values(field, shown)
    return fields


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def app_config():
    return {"TODAY": inputs.TODAY}


@pytest.fixture
def signed_in(app, client, login_as, csrf_token):
    """The world seeded, the client signed in holding every role: (world, token, restore)
    where ``restore()`` signs the client in again as before (after a sign-out, say)."""
    from tracker.core.permissions import ROLE_CODES

    with app.app_context():
        world = inputs.seed_world()
    login_as(*ROLE_CODES)
    token = csrf_token(client)
    with client.session_transaction() as sess:
        saved = dict(sess)

    def restore():
        with client.session_transaction() as sess:
            sess.clear()
            sess.update(saved)

    return world, token, restore


@pytest.fixture
def fingerprint(app):
    def _fingerprint():
        with app.app_context():
            return inputs.fingerprint()

    return _fingerprint


def find_forms(client, url: str, token: str, monkeypatch, *, shown_by_get: bool):
    """The forms of a POST route, and the hidden values its page gives (a record's version):
    the forms its page builds when shown (GET), or else those it binds to an empty post, with
    the hidden values of the page above it (/escalations/E1/close is a form of /escalations/E1)."""
    if shown_by_get:
        with inputs.forms_bound_by(monkeypatch, bound_only=False) as forms:
            response = client.get(url)
        assert response.status_code < 500
        if response.status_code == 200 and forms:
            return forms, hidden_values(response)
    with inputs.forms_bound_by(monkeypatch) as forms:
        response = client.post(url, data={"csrf_token": token})
    assert response.status_code < 500
    above = client.get(url.rsplit("/", 1)[0] or "/")
    return forms, hidden_values(above) if above.status_code == 200 else {}


def hidden_values(response) -> dict[str, str]:
    hidden = Page(response).select("input[type=hidden][name]")
    return {f["name"]: f.get("value", "") for f in hidden if f["name"] != "csrf_token"}


def check_answer(response, before: dict, after, what: str, *, records_refusals: bool = False) -> None:
    """No server error; a refused submission (errors shown, or 4xx) changed no table."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    shown = response.status_code == 200 and response.mimetype == "text/html"  # not a download (the board pack)
    refused = response.status_code >= 400 or (shown and Page(response).errors)
    if refused and not records_refusals:
        changed = inputs.changed_tables(before, after())
        assert not changed, f"{what} was refused ({response.status_code}) but changed {changed}"


@pytest.mark.parametrize("rule", POST_RULES, ids=[f"{r.endpoint}:{r.rule}" for r in POST_RULES])
def test_any_post_to_any_form_is_answered_without_a_server_error(
    app, client, signed_in, fingerprint, monkeypatch, rule
):
    world, token, restore = signed_in
    url = app.url_map.bind("localhost").build(rule.endpoint, inputs.url_values(rule, world))
    forms, shown = find_forms(client, url, token, monkeypatch, shown_by_get="GET" in rule.methods)
    restore()
    fields = fields_of(forms, shown)
    assert fields or rule.endpoint in NO_FIELDS, f"{rule.endpoint}: no form found to fuzz"
    # A failed sign-in is recorded by design (audit log, throttling), and so is a wrong current
    # password on the change-password page (it counts as a failed sign-in): only the answer is checked.
    records_refusals = rule.endpoint in ("auth.login", "auth.change_password")

    @FUZZ
    @given(data=form_data(fields))
    def post(data):
        restore()
        before = fingerprint()
        answer = client.post(url, data={**data, "csrf_token": token})
        check_answer(answer, before, fingerprint, f"POST {url} {_short(data)}", records_refusals=records_refusals)

    post()


# Query arguments pages read without a form (a period, a page, a scope, a sort...); a page's filter
# form replaces them with its own fields (the indicators' ``from`` and ``to``: date boxes).
QUERY_ARGUMENTS = {
    "page": (st.integers(min_value=1, max_value=3).map(str), NUMBER),
    "from": (RECENT.map(dt.date.isoformat), st.one_of(ISO_DATE, DATE_BOXES)),
    "to": (RECENT.map(dt.date.isoformat), st.one_of(ISO_DATE, DATE_BOXES)),
    **dict.fromkeys(
        ("scope", "sort", "team", "officer", "status", "view", "type", "mine", "clear"),
        (
            st.sampled_from(["all", "team", "qaro", "mine", "open", "closed", "overdue", "due", "North", "Q1", "1"]),
            TEXT,
        ),
    ),
}

# Routes that answer a post before they build a form: a closure day that is not one (404).
NO_FIELDS = {"rules.remove_closure"}


@pytest.mark.parametrize("rule", GET_RULES, ids=[f"{r.endpoint}:{r.rule}" for r in GET_RULES])
def test_any_query_string_to_any_filter_form_is_answered_without_a_server_error(
    app, client, signed_in, fingerprint, monkeypatch, rule
):
    world, token, restore = signed_in
    url = app.url_map.bind("localhost").build(rule.endpoint, inputs.url_values(rule, world))
    with inputs.forms_bound_by(monkeypatch) as forms:
        response = client.get(url)
    assert response.status_code < 500
    fields = QUERY_ARGUMENTS | fields_of(forms, {})  # a form's own field wins (the period's ``from``: date boxes)
    examples = EXAMPLES if forms else max(3, EXAMPLES // 5)  # a page without a filter form: a few

    @settings(FUZZ, max_examples=examples)
    @given(data=form_data(fields))
    def get(data):
        restore()
        before = fingerprint()
        answer = client.get(url, query_string=data)
        check_answer(answer, before, fingerprint, f"GET {url} {_short(data)}")

    get()


def _short(data) -> str:
    return re.sub(r"x{50,}", lambda m: f"x*{len(m.group())}", repr(data))[:2000]


# --- import-data ------------------------------------------------------------------------------------


def _codes(enum) -> list[str]:
    return list(enum.codes())


def column_strategies() -> dict[str, st.SearchStrategy]:
    from tracker.core.permissions import Role
    from tracker.escalations.models import Area, Resolution, Stage
    from tracker.lado.models import CarerAgency, CarerType, Category, Disposition, MeetingType, Outcome, Sector
    from tracker.reviews.models import ContactType, LegalStatus, ParticipationCode

    def code(enum):
        return st.one_of(st.sampled_from(_codes(enum)), SHORT)

    def several(enum):
        return st.lists(st.one_of(st.sampled_from(_codes(enum)), SHORT), max_size=3).map(";".join)

    def ids(*pool):
        return st.one_of(st.sampled_from(pool), SHORT)

    return {
        "officer_id": ids("Q1", "Q2", "L1"),
        "iro_officer_id": ids("Q1", "Q2"),
        "raised_by": ids("Q1", "Q2"),
        "child_id": ids("C1", "C2"),
        "review_id": ids("R1", "R2"),
        "contact_id": ids("LC1", "LC2", "K1"),
        "escalation_id": ids("E1", "E2"),
        "referral_id": ids("LR1", "LR2"),
        "meeting_id": ids("LM1", "LM2"),
        "action_id": ids("LA1", "LA2"),
        "subject_ref": ids("P1", "P2", ""),
        "employer_ref": ids("ORG1", ""),
        "roles": several(Role),
        "areas": several(Area),
        "categories": several(Category),
        "participation_code": code(ParticipationCode),
        "contact_type": code(ContactType),
        "legal_status": code(LegalStatus),
        "stage": code(Stage),
        "resolution": code(Resolution),
        "employer_sector": code(Sector),
        "disposition": code(Disposition),
        "foster_carer_type": code(CarerType),
        "foster_carer_agency": code(CarerAgency),
        "outcome": code(Outcome),
        "meeting_type": code(MeetingType),
        "email": st.one_of(st.emails().map(str.lower), SHORT),
    }


COLUMNS = column_strategies()
YES_NO_COLUMNS = {
    "uasc",
    "iro_contact_expected",
    "advocate",
    "police_investigation",
    "returned_to_panel",
    "child_informed",
    "to_panel",
}
IMPORT_DATES = st.one_of(
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2023, 6, 30)).map(dt.date.isoformat),  # mostly good
    ISO_DATE,
)


def cell(column: str):
    if column in COLUMNS:
        return COLUMNS[column]
    if column in YES_NO_COLUMNS:
        return st.sampled_from(["Y", "N", "y", "", "maybe", "\x00"])
    if "date" in column:
        return IMPORT_DATES
    return st.one_of(st.sampled_from(["Jo", "North", "Follow-up", ""]), TEXT)


def rows(filename: str):
    columns = [c.name for c in interchange.FILES[filename]]
    row = st.fixed_dictionaries({c: cell(c) for c in columns})
    header = st.one_of(
        st.just(columns),
        st.permutations(columns).map(list),
        st.lists(st.sampled_from([*columns, "unknown", ""]), min_size=1, max_size=len(columns) + 1, unique=True),
    )
    return st.tuples(header, st.lists(row, max_size=4))


FOLDERS = st.lists(st.sampled_from(list(interchange.FILES)), min_size=1, max_size=6, unique=True).flatmap(
    lambda names: st.tuples(*[st.tuples(st.just(n), rows(n)) for n in names])
)
BROKEN = st.sampled_from([None, "utf8", "empty", "unknown-file"])  # sometimes spoil one file


def write_folder(folder, files, broken) -> None:
    folder.mkdir()
    for name, (header, data) in files:
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, header, extrasaction="ignore", restval="")
            writer.writeheader()
            writer.writerows(data)
    first = folder / files[0][0]
    if broken == "utf8":
        first.write_bytes(first.read_bytes() + b"C1,\xff\xfe\n")
    elif broken == "empty":
        first.write_bytes(b"")
    elif broken == "unknown-file":
        (folder / "unknown.csv").write_text("a,b\n1,2\n", encoding="utf-8")


LOCATED = re.compile(r"^[^:\n]+:\d*: [^:\n]*: .+$")


def test_any_rows_to_import_data_are_imported_whole_or_refused_with_located_problems(
    app, runner, fingerprint, tmp_path
):
    with app.app_context():
        inputs.seed_world()
    counter = itertools.count()
    outcomes = {0: 0, 1: 0}

    @settings(FUZZ, max_examples=EXAMPLES * 2)
    @given(files=FOLDERS, broken=BROKEN)
    def import_(files, broken):
        folder = tmp_path / f"import{next(counter)}"
        write_folder(folder, files, broken)
        before = fingerprint()
        result = runner.invoke(args=["import-data", str(folder)])
        assert result.exception is None or isinstance(result.exception, SystemExit), _traceback(result)
        assert result.exit_code in (0, 1), result.output
        outcomes[result.exit_code] += 1
        if result.exit_code == 1:
            problems = [line for line in result.stderr.splitlines() if LOCATED.match(line)]
            assert problems, result.output
            assert inputs.changed_tables(before, fingerprint()) == [], result.output

    import_()
    assert outcomes[1], "no import was refused: the strategy generates nothing but good rows"


def _traceback(result) -> str:
    import traceback

    return "".join(traceback.format_exception(result.exception))
