"""Issue 10: bad input is refused with a clear, located message — by every form and by the
import alike, with the rules of ``tracker.core.checks`` — and never answers 500.

- finding 2 (input half): an id such as ``<img src=x onerror=alert(1)>`` is refused on import
  and in forms (``checks.reference``); no template or Python marks data as safe HTML;
- finding 6: a 20-digit year, missing day boxes, a date of birth of 9999-12-31, an id of
  10²³ in a URL: each once answered 500;
- finding 9: the accepted range of every date (``checks.date_in_range``: 1900 to today, or
  to today + 2 years for due and booked dates) is what the working-day calendar covers, so
  records dated before 1990 stay in worklists;
- finding 10 (input parts): NUL and control characters are refused (``checks.plain_text``),
  and the children search takes ``%`` and ``_`` literally (``tracker.db.like_pattern``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import SelectFieldBase, StringField

from tests import inputs
from tracker.core import checks, interchange
from tracker.core.forms import GovDate, TrackerForm
from tracker.formatters import format_date

ROOT = Path(__file__).resolve().parent.parent
RULES = inputs.app_rules()  # also registers every importer
FORMS = inputs.form_classes()
XSS = "<img src=x onerror=alert(1)>"
REFERENCE_MESSAGE = "can only contain letters, numbers, full stops, hyphens and underscores (up to 40, starting with a letter or number)"
IMPORTED = {name: interchange.FILES[name] for name in interchange.FILES if name in interchange.IMPORTERS}
ID_COLUMNS = [
    (name, c.name)
    for name, columns in IMPORTED.items()
    for c in columns
    if c.name.endswith(("_id", "_ref")) or c.name == "raised_by"
]
DATE_COLUMNS = [(name, c.name) for name, columns in IMPORTED.items() for c in columns if "date" in c.name]
# dates that may lie ahead (up to today + 2 years): a due date, a booked panel meeting
AHEAD_COLUMNS = {("lado_actions.csv", "due_date"), ("panel_meetings.csv", "meeting_date")}
NOT_YET_TRACKER_FORMS: set[str] = set()  # every form derives from TrackerForm


@pytest.fixture
def app_config():
    return {"TODAY": inputs.TODAY}


@pytest.fixture
def world(app):
    with app.app_context():
        return inputs.seed_world()


@pytest.fixture
def admin(login_as):
    """Signed in holding every role (the pages of every feature)."""
    from tracker.core.permissions import ROLE_CODES

    return login_as(*ROLE_CODES)


@pytest.fixture
def fingerprint(app):
    def _fingerprint():
        with app.app_context():
            return inputs.fingerprint()

    return _fingerprint


@pytest.fixture
def write_files(tmp_path):
    """``write_files({"file.csv": [row dict, ...]})``: a folder of CSV files with the contract's header."""

    def _write(files: dict[str, list[dict]]) -> Path:
        folder = tmp_path / f"import{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name, rows in files.items():
            header = [c.name for c in interchange.FILES[name]]
            with open(folder / name, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, header)
                writer.writeheader()
                writer.writerows(rows)
        return folder

    return _write


@pytest.fixture
def refused_import(runner, fingerprint):
    """``refused_import(folder)``: the problems of an import that must fail and change nothing."""

    def _refused(folder: Path) -> list[str]:
        before = fingerprint()
        result = runner.invoke(args=["import-data", str(folder)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 1, result.output
        assert fingerprint() == before
        return result.output.splitlines()

    return _refused


def post_form(client_request, url: str, data: dict, *, status: int = 302):
    """Post ``data`` as the form on the page at ``url`` would, with its hidden fields (a
    record's version) as the page gave them."""
    shown = client_request.client.get(url)
    hidden = {}
    if shown.status_code == 200:
        from tests.pages import Page

        for field in Page(shown).select("form[method=post] input[type=hidden]"):
            if field.get("name") and field["name"] != "csrf_token":
                hidden[field["name"]] = field.get("value", "")
    return client_request.post(url, hidden | data, status=status)


def bound_form(app, cls, data: dict):
    """A form of ``cls`` bound to ``data`` (field name without its prefix → value), without CSRF."""
    with app.test_request_context(method="POST"):
        # by attribute: a field may take another name in the query string (``GovDate(..., name="from")``)
        names = {key: f.name for key, f in cls(formdata=None, meta={"csrf": False})._fields.items()}
        formdata = MultiDict()
        for short, value in data.items():
            for v in value if isinstance(value, list) else [value]:
                formdata.add(names[short], v)
        form = cls(formdata=formdata, meta={"csrf": False})
        for field in form:  # choices a view fills in (officers, teams): none here
            if isinstance(field, SelectFieldBase) and getattr(field, "choices", ()) is None:
                field.choices = []
        return form


def date_fields():
    """Every GovDate field, in the form class that declares it."""
    return [
        pytest.param(cls, name, id=f"{cls.__qualname__}.{name}")
        for cls in FORMS
        for name, unbound in vars(cls).items()
        if getattr(unbound, "field_class", None) is GovDate
    ]


def text_fields():
    return [
        pytest.param(cls, name, id=f"{cls.__qualname__}.{name}")
        for cls in FORMS
        if issubclass(cls, TrackerForm)
        for name in sorted({f.short_name for f in _fields_of(cls) if isinstance(f, StringField)} - {"csrf_token"})
    ]


def _fields_of(cls):
    import flask

    app = flask.Flask("fields")
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        return list(cls(formdata=None))


# --- the rules, once (tracker.core.checks) -------------------------------------------------------


@pytest.mark.parametrize("value", ["C1", "R000123", "LC00001", "P0001", "a.b_c-D9", "9" * 40])
def test_a_reference_is_letters_numbers_and_dot_underscore_hyphen(value):
    checks.reference(value, "child_id", "The reference")


@pytest.mark.parametrize(
    "value", [XSS, "a/b", "C 1", "C1\n", "C1\x00", "..", ".hidden", "-1", "=CMD", "é1", "%", "C" * 41]
)
def test_anything_else_is_not_a_reference(value):
    with pytest.raises(checks.DomainError) as refused:
        checks.reference(value, "child_id", "The reference")
    assert (refused.value.message, refused.value.field) == (f"The reference {REFERENCE_MESSAGE}", "child_id")


@pytest.mark.parametrize(
    "value, multiline, found",
    [
        ("a\x00b", True, "U+0000"),
        ("\x1b[31mred", True, "U+001B"),
        ("del\x7f", True, "U+007F"),
        ("one\ntwo", False, "U+000A"),
        ("one\r\ntwo\tthree", True, None),
        ("tab\there", False, None),
        ("naïve – “quoted” ✓", False, None),
    ],
)
def test_control_characters_are_refused_but_tabs_and_line_breaks_of_free_text(value, multiline, found):
    assert checks.control_character(value, multiline=multiline) == found


def test_the_accepted_range_of_every_date(app):
    today = dt.date.fromisoformat(inputs.TODAY)
    two_years = dt.date(2025, 6, 30)
    with app.app_context():
        assert (checks.FIRST_DATE, checks.last_date(), checks.last_date(ahead=True)) == (
            dt.date(1900, 1, 1),
            today,
            two_years,
        )
        for day, ahead in [(checks.FIRST_DATE, False), (today, False), (two_years, True)]:
            checks.date_in_range(day, "d", "The date", ahead=ahead)
        for day, ahead, message in [
            (dt.date(1899, 12, 31), False, "The date must be between 1 January 1900 and today"),
            (today + dt.timedelta(days=1), False, "The date must be today or in the past"),
            (dt.date(1899, 12, 31), True, "The date must be between 1 January 1900 and 30 June 2025"),
            (two_years + dt.timedelta(days=1), True, "The date must be between 1 January 1900 and 30 June 2025"),
        ]:
            with pytest.raises(checks.DomainError, match=f"^{message}$"):
                checks.date_in_range(day, "d", "The date", ahead=ahead)
    with app.app_context():  # 29 February + 2 years is 28 February
        app.config["TODAY"] = "2024-02-29"
        assert checks.last_date(ahead=True) == dt.date(2026, 2, 28)


def test_the_calendar_covers_every_accepted_date_and_its_deadlines(app):
    from sqlalchemy import func, select

    from tracker.core import calendar
    from tracker.extensions import db

    assert calendar.FIRST_DAY == checks.FIRST_DATE
    # the last date accepted (today + 2 years) plus the longest timescale rule (24 months)
    assert dt.date.today() + dt.timedelta(days=4 * 366) <= calendar.LAST_DAY
    with app.app_context():
        first, last = db.session.execute(
            select(func.min(calendar.CalendarDay.day), func.max(calendar.CalendarDay.day))
        ).one()
    assert (first, last) == (calendar.FIRST_DAY, calendar.LAST_DAY)


# --- finding 6: no 500 for any date, any box, any stored date, any number in a URL --------------------


@pytest.mark.parametrize("cls, name", date_fields())
def test_a_20_digit_year_is_not_a_real_date_in_any_date_field(app, cls, name):
    form = bound_form(app, cls, {name: ["1", "2", "9" * 20]})
    what = form[name].label.text.removesuffix(" (optional)")
    assert form[name].process_errors == [f"{what} must be a real date, for example 27 3 2023"]
    assert form[name].data is None


@pytest.mark.parametrize("cls, name", date_fields())
def test_every_date_field_refuses_a_date_before_1900_naming_the_range(app, cls, name):
    form = bound_form(app, cls, {name: ["31", "12", "1899"]})
    what = form[name].label.text.removesuffix(" (optional)")
    with app.app_context():
        until = format_date(checks.last_date(ahead=True)) if form[name].ahead else "today"
    assert form[name].process_errors == [f"{what} must be between 1 January 1900 and {until}"]


def test_a_20_digit_year_on_a_page_is_shown_as_an_error(app, client_request, admin, fingerprint):
    before = fingerprint()
    page = client_request.post("/children/new", {"child_id": "C9", "date_of_birth": ["1", "2", "9" * 20]}, status=200)
    assert page.field_error("date_of_birth") == "Date of birth must be a real date, for example 27 3 2023"
    assert fingerprint() == before


@pytest.mark.parametrize(
    "boxes, message",
    [
        (["7"], "Date must be a real date, for example 27 3 2023"),
        (["7", "1"], "Date must be a real date, for example 27 3 2023"),
        (["", "1", "2023"], "Date must be a real date, for example 27 3 2023"),
        (["7", "1", "2023", "5"], "Date must be a real date, for example 27 3 2023"),
        (["7", "1", "99999999999999999999"], "Date must be a real date, for example 27 3 2023"),
        (["7", "1", "+2023"], "Date must be a real date, for example 27 3 2023"),
        ([], "Enter the date of the closure"),
    ],
)
def test_the_closure_day_form_with_boxes_missing_or_extra(app, client_request, admin, fingerprint, boxes, message):
    before = fingerprint()
    data = {"reason": "Council closure"} | ({"day": boxes} if boxes else {})
    page = client_request.post("/admin/rules/closures/new", data, status=200)
    assert page.errors == [message]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "query",
    [
        "date_from=1&date_from=1&date_from=1&date_to=31&date_to=12&date_to=9999",
        "date_from=0001-01-01&date_to=9999-12-31",  # a link made before the date boxes
    ],
)
def test_the_audit_log_filter_takes_no_date_beyond_the_range(client_request, admin, query):
    page = client_request.get(f"/admin/audit?{query}")
    assert page.errors == [
        "From must be between 1 January 1900 and 30 June 2025",
        "To must be between 1 January 1900 and 30 June 2025",
    ]
    assert page.field_error("date_to") == "To must be between 1 January 1900 and 30 June 2025"


def test_the_audit_log_filter_shows_a_date_that_is_not_real_in_the_error_summary(client_request, admin):
    page = client_request.get("/admin/audit?date_from=30&date_from=2&date_from=2024&date_to=1&date_to=13")
    assert page.errors == [
        "From must be a real date, for example 27 3 2023",
        "To must be a real date, for example 27 3 2023",
    ]
    assert [page.value(f"date_from-{box}") for box in ("day", "month", "year")] == ["30", "2", "2024"]
    assert page.title.startswith("Error: ")


def test_a_date_of_birth_of_9999_12_31_is_refused(app, client_request, admin, world, fingerprint):
    before = fingerprint()
    page = client_request.post(
        f"/lado/people/{world.person_public_id}", {"date_of_birth": ["31", "12", "9999"]}, status=200
    )
    assert page.field_error("date_of_birth") == "Date of birth must be today or in the past"
    page = client_request.post(
        "/lado/contacts/new",
        {
            "contact_date": ["2", "1", "2023"],
            "employer_sector": "education",
            "disposition": "advice",
            "person_dob": ["31", "12", "9999"],
        },
        status=200,
    )
    assert page.field_error("person_dob") == "Their date of birth must be today or in the past"
    assert fingerprint() == before


def test_a_stored_date_of_birth_of_9999_12_31_fails_no_page_of_the_person(app, client_request, admin, world):
    from tracker.extensions import db
    from tracker.lado.models import LadoPerson

    with app.app_context():  # stored before the date range was a rule
        db.session.get(LadoPerson, world.person_ref).date_of_birth = dt.date(9999, 12, 31)
        db.session.commit()
    for url in (
        f"/lado/people/{world.person_public_id}",
        f"/lado/contacts/{world.contact_id}",
        f"/lado/referrals/{world.referral_id}",
        "/lado/retention",
        "/lado/",
    ):
        client_request.get(url)
    assert "31 December 9999" in client_request.get(f"/lado/people/{world.person_public_id}").text


def test_date_arithmetic_saturates_at_the_ends_of_the_calendar_python_knows():
    from tracker.core import calendar

    assert calendar.add_months(dt.date(9999, 12, 31), 12 * 67) == dt.date.max
    assert calendar.add_months(dt.date(1, 1, 1), -1) == dt.date.min
    assert calendar.add_days(dt.date(9999, 12, 30), 5) == dt.date.max
    assert calendar.add_days(dt.date(1, 1, 2), -5) == dt.date.min
    assert calendar.add_working_days(dt.date(9999, 12, 30), 5) == dt.date.max


INT_RULES = [r for r in RULES if any(isinstance(c, IntegerConverter) for c in r._converters.values())]


@pytest.mark.parametrize("rule", INT_RULES, ids=[f"{r.endpoint}:{r.rule}" for r in INT_RULES])
def test_an_id_too_large_for_the_database_in_a_url_is_not_found(app, client_request, admin, world, rule):
    values = inputs.url_values(rule, world)
    values |= {name: 10**23 for name, c in rule._converters.items() if isinstance(c, IntegerConverter)}
    url = app.url_map.bind("localhost").build(rule.endpoint, values)
    if "GET" in rule.methods:
        client_request.get(url, status=404)
    if "POST" in rule.methods:
        client_request.post(url, {}, status=404)


def test_int_routes_are_found_at_all():
    assert {r.endpoint for r in INT_RULES} >= {"admin.user", "admin.user_roles", "reviews.care_period"}


# --- finding 2 (input half) and 10: ids ----------------------------------------------------------


@pytest.mark.parametrize("value", [XSS, "a/b"])
@pytest.mark.parametrize("filename, column", ID_COLUMNS, ids=[f"{f}:{c}" for f, c in ID_COLUMNS])
def test_every_imported_id_column_refuses_what_is_not_a_reference(write_files, refused_import, filename, column, value):
    problems = refused_import(write_files({filename: [{column: value}]}))
    assert f"{filename}:2: {column}: {value!r} {REFERENCE_MESSAGE}" in problems


def test_the_id_columns_are_found_in_every_imported_file():
    assert {f for f, _ in ID_COLUMNS} == set(IMPORTED)
    assert ("lado_contacts.csv", "contact_id") in ID_COLUMNS and ("lado_contacts.csv", "subject_ref") in ID_COLUMNS


def test_the_stored_xss_of_the_finding_is_refused_on_import(write_files, refused_import, app, world):
    """The referral page once showed an imported contact id as HTML: the import refuses it."""
    contact = {
        "contact_id": XSS,
        "contact_date": "2023-01-05",
        "employer_sector": "education",
        "disposition": "referral",
        "subject_ref": "P9<script>",
    }
    referral = {"referral_id": "LR90001", "contact_id": XSS, "referral_date": "2023-01-05"}
    problems = refused_import(write_files({"lado_contacts.csv": [contact], "lado_referrals.csv": [referral]}))
    assert f"lado_contacts.csv:2: contact_id: {XSS!r} {REFERENCE_MESSAGE}" in problems
    assert f"lado_contacts.csv:2: subject_ref: 'P9<script>' {REFERENCE_MESSAGE}" in problems
    assert f"lado_referrals.csv:2: contact_id: {XSS!r} {REFERENCE_MESSAGE}" in problems


@pytest.mark.parametrize(
    "url, data, field, what",
    [
        ("/children/new", {"child_id": XSS, "date_of_birth": ["1", "2", "2012"]}, "child_id", "The child's reference"),
        (
            "/lado/contacts/new",
            {"contact_date": ["2", "1", "2023"], "employer_sector": "education", "disposition": "advice", "person_ref": "P/1"},
            "person_ref",
            "The person reference",
        ),
        (
            "/lado/contacts/new",
            {"contact_date": ["2", "1", "2023"], "employer_sector": "education", "disposition": "advice", "organisation_ref": XSS},
            "organisation_ref",
            "The organisation reference",
        ),
        (
            "/admin/users/new",
            {"email": "new@example.org", "name": "New", "officer_id": "Q 7", "password": "x" * 12, "password_confirm": "x" * 12},
            "officer_id",
            "The officer ID",
        ),
        ("/lado/referrals/{referral_id}/details", {"officer_id": "L1<b>"}, "officer_id", "The officer id"),
    ],
)  # fmt: skip
def test_an_id_typed_into_a_form_must_be_a_reference(client_request, admin, world, fingerprint, url, data, field, what):
    before = fingerprint()
    page = post_form(client_request, url.format(**vars(world)), data, status=200)
    assert page.field_error(field) == f"{what} {REFERENCE_MESSAGE}"
    assert fingerprint() == before


# --- finding 10: control characters ----------------------------------------------------------------


@pytest.mark.parametrize("filename", IMPORTED)
def test_every_imported_file_refuses_control_characters_at_their_cell(write_files, refused_import, filename):
    first, *others = [c.name for c in IMPORTED[filename]]
    problems = refused_import(write_files({filename: [{first: "ab\x00c", others[-1]: "x\x1by"}]}))
    assert f"{filename}:2: {first}: must not contain control characters (U+0000 found)" in problems
    assert f"{filename}:2: {others[-1]}: must not contain control characters (U+001B found)" in problems


@pytest.mark.parametrize(
    "header, episodes, problems",
    [
        (
            f"CHILD,SEX,DOB\n{XSS},1,01/02/2012\nA2,1,31/12/1899\nA4,1,01/02/2012\n",
            "CHILD,DECOM,DEC\nA4,01/01/1899,\n",
            [
                f"header.csv:2: CHILD: {XSS!r} {REFERENCE_MESSAGE}",
                "header.csv:3: DOB: 31/12/1899 must be between 1 January 1900 and today",
                "episodes.csv:2: DECOM: 01/01/1899 must be between 1 January 1900 and today",
            ],
        ),
        (
            "CHILD,SEX,DOB\nA3,1\x00,01/02/2012\n",
            "CHILD,DECOM,DEC\n",
            ["header.csv:2: SEX: must not contain control characters (U+0000 found)"],
        ),
    ],
)
def test_the_903_import_applies_the_same_rules(runner, tmp_path, fingerprint, header, episodes, problems):
    """import-903 reads its own files (dd/mm/yyyy): ids, dates and control characters by the same rules."""
    folder = tmp_path / "return"
    folder.mkdir()
    (folder / "header.csv").write_text(header, encoding="utf-8")
    (folder / "episodes.csv").write_text(episodes, encoding="utf-8")
    (folder / "reviews.csv").write_text("CHILD,REVIEW\n", encoding="utf-8")
    before = fingerprint()
    result = runner.invoke(args=["import-903", str(folder)])
    assert result.exit_code == 1
    assert fingerprint() == before
    for problem in problems:
        assert problem in result.output.splitlines(), result.output


@pytest.mark.parametrize("path", ["/children/%00", "/lado/people/a%00b", "/escalations/E%1b1", "/lado/contacts/%7f"])
def test_a_control_character_in_a_url_path_is_not_found(client_request, admin, path):
    """``find`` matches no row with a value no column holds (PostgreSQL cannot even compare it)."""
    client_request.get(path, status=404)


FILTERS_WITH_NUL = ["/children/?scope=team&team=%00", "/children/?scope=qaro&officer=%00", "/children/team?team=%00"]


def test_a_query_string_with_control_characters_is_a_bad_request(app):
    from werkzeug.exceptions import BadRequest

    from tracker.core.forms import refuse_control_characters

    for url in [*FILTERS_WITH_NUL, "/admin/audit?object_id=%1b", "/kpis/?from%00=1"]:
        with app.test_request_context(url), pytest.raises(BadRequest):
            refuse_control_characters()
    with app.test_request_context("/children/?scope=team&team=North%09West&q=caf%C3%A9"):
        refuse_control_characters()


@pytest.mark.parametrize("url", FILTERS_WITH_NUL)
def test_a_filter_with_a_nul_is_no_server_error(client, admin, url):
    """On PostgreSQL these pages answered 500 ("text fields cannot contain NUL"); the request
    hook ``refuse_control_characters`` answers 400 before any page reads its filters."""
    assert client.get(url).status_code < 500


def test_a_nul_in_the_sign_in_email_is_no_server_error(client, csrf_token):
    """On PostgreSQL the sign-in answered 500 (its form is not yet a TrackerForm: see above)."""
    data = {"email": "a\x00b@example.org", "password": "x", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=data).status_code < 500


def test_tabs_and_line_breaks_are_text_in_an_imported_cell(app, runner, write_files, world):
    from tracker.extensions import db
    from tracker.lado.models import LadoAction

    description = "Call back\tthen\r\nwrite to the school"
    row = {
        "action_id": "LA900001",
        "referral_id": world.referral_id,
        "description": description,
        "due_date": "2025-06-30",
    }
    result = runner.invoke(args=["import-data", str(write_files({"lado_actions.csv": [row]}))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        action = db.session.scalars(db.select(LadoAction).filter_by(action_id="LA900001")).one()
        assert (action.description, action.due_date) == (description, dt.date(2025, 6, 30))


def test_every_form_is_a_tracker_form():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in FORMS if not issubclass(cls, TrackerForm)}
    names.discard("tracker.core.forms.TrackerForm")
    assert names == NOT_YET_TRACKER_FORMS, "derive every form from tracker.core.forms.TrackerForm"


@pytest.mark.parametrize("cls, name", text_fields())
def test_every_text_field_of_every_form_refuses_nul(app, cls, name):
    form = bound_form(app, cls, {name: "before\x00after"})
    with app.test_request_context(method="POST"):
        form.validate()
    assert form[name].errors  # the control character's, or an earlier validator's (an email's format)


@pytest.mark.parametrize(
    "url, data, field, message",
    [
        (
            "/admin/rules/closures/new",
            {"day": ["7", "6", "2023"], "reason": "Council\x00closure"},
            "reason",
            "Reason must not contain control characters (U+0000 found)",
        ),
        (
            "/children/new",
            {"child_id": "C9", "first_name": "Sam\nSmith", "date_of_birth": ["1", "2", "2012"]},
            "first_name",
            "First name must not contain control characters (U+000A found)",
        ),
        (
            "/lado/referrals/{referral_id}/meetings/new",
            {"meeting_type": "iem", "meeting_date": ["5", "1", "2023"], "decisions": "Investigate\x07"},
            "decisions",
            "Decisions must not contain control characters (U+0007 found)",
        ),
    ],
)
def test_a_control_character_typed_into_a_form_is_a_field_error(
    client_request, admin, world, fingerprint, url, data, field, message
):
    before = fingerprint()
    page = post_form(client_request, url.format(**vars(world)), data, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert fingerprint() == before


def test_line_breaks_and_tabs_in_a_text_area_are_kept(app, client_request, admin, world):
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    decisions = "Investigate\r\n\tthen report"
    data = {"meeting_type": "iem", "meeting_date": ["5", "1", "2023"], "decisions": decisions}
    post_form(client_request, f"/lado/referrals/{world.referral_id}/meetings/new", data)
    with app.app_context():
        stored = db.session.scalars(db.select(LadoMeeting.decisions).filter_by(referral_id=world.referral_id)).all()
    assert decisions in stored


# --- finding 9: one range for every date, in forms and import ---------------------------------------------


@pytest.mark.parametrize("value", ["1899-12-31", "0001-01-01", "3000-01-01"])
@pytest.mark.parametrize("filename, column", DATE_COLUMNS, ids=[f"{f}:{c}" for f, c in DATE_COLUMNS])
def test_every_imported_date_column_refuses_a_date_outside_the_range(
    app, write_files, refused_import, filename, column, value
):
    problems = refused_import(write_files({filename: [{column: value}]}))
    with app.app_context():
        ahead = (filename, column) in AHEAD_COLUMNS
        until = format_date(checks.last_date(ahead=True)) if ahead else "today"
    expected = (
        "must be today or in the past"
        if value > inputs.TODAY and not ahead
        else f"must be between 1 January 1900 and {until}"
    )
    assert f"{filename}:2: {column}: {value} {expected}" in problems


def test_the_date_columns_are_found():
    assert len(DATE_COLUMNS) >= 18 and ("children.csv", "date_of_birth") in DATE_COLUMNS


@pytest.mark.parametrize("held", ["1900-03-01", "1950-03-01", "1989-12-01"])
def test_records_dated_before_1990_are_in_the_worklists(app, held):
    """The working-day calendar started in 1990: a deadline from an earlier date had no row to
    read, and the record fell out of every worklist while forms and import accepted it."""
    from tracker.core import calendar, timescales, worklist
    from tracker.extensions import db
    from tracker.reviews import operations

    with app.app_context():
        day = dt.date.fromisoformat(held)
        child = operations.create_child(child_id="C1950", date_of_birth=day.replace(month=1, day=1))
        operations.add_care_period(child, start_date=day.replace(month=1, day=1))
        operations.record_review(child, review_date=day, participation_code="PN0")  # a child under 4
        db.session.commit()
        items = worklist.collect(dt.date.fromisoformat(inputs.TODAY), record_refs=["C1950"])
        due = {i.kind: i.due_date for i in items}
        assert due["review_recommendations"] == timescales.deadline("review_recommendations", day)
        assert due["review_minutes"] == timescales.deadline("review_minutes", day)
        assert day < due["cic_review"] <= calendar.add_months(day, 6)
        assert {i.state.value for i in items} == {"overdue"}


# --- finding 10: the children search's wildcards -----------------------------------------------------


@pytest.mark.parametrize(
    "q, found",
    [("K_1", ["K_1"]), ("_", ["K_1"]), ("%", ["KP2"]), ("Per%", ["KP2"]), ("K%1", []), ("Per", ["KP2", "KPC"])],
)
def test_the_children_search_takes_percent_and_underscore_literally(app, client_request, admin, q, found):
    from tracker.extensions import db
    from tracker.reviews import operations

    with app.app_context():
        for child_id, last_name in [("K_1", "Kay"), ("KA1", "Kay"), ("KP2", "Per%cent"), ("KPC", "Percent")]:
            operations.create_child(child_id=child_id, date_of_birth=dt.date(2012, 1, 1), last_name=last_name)
        db.session.commit()
    client_request.post("/children/", {"q": q})
    page = client_request.get("/children/?scope=all")
    assert sorted(tr["data-child"] for tr in page.select("#caseload tbody tr")) == found


def test_like_pattern_escapes_the_wildcards_and_the_escape():
    from tracker.db import like_pattern

    assert like_pattern(" 100%_\\x ") == "%100\\%\\_\\\\x%"


# --- finding 2: output safety -----------------------------------------------------------------------

# Ways to put text on a page without escaping it. Reviewed exceptions: none.
UNSAFE = re.compile(
    r"\|\s*safe\b|\bMarkup\b|(?i:autoescape\s+(false|off))|render_template_string|"
    r"['\"]html['\"]\s*:\s*[^,}]*~|\bhtml\s*=\s*[^,)]*~"
)
ALLOWED: set[tuple[str, str]] = set()  # (path, line) pairs reviewed as safe


def test_nothing_is_marked_safe_html_in_templates_or_python():
    found = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("tracker/**/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if UNSAFE.search(line):
                found.add((str(path.relative_to(ROOT)), line.strip()))
    assert found == ALLOWED


def test_the_grep_would_see_them():
    for line in [
        "{{ x|safe }}",
        "{{ x | safe }}",
        "return Markup(f'<b>{x}</b>')",
        "{% autoescape false %}",
        "{'key': 'Contact', 'html': '<a>' ~ contact.contact_id ~ '</a>'}",
        "from markupsafe import Markup",
    ]:
        assert UNSAFE.search(line), line


def test_templates_are_autoescaped(app):
    assert app.jinja_env.autoescape("lado/referral.html") is True
