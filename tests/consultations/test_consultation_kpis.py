"""The ``consultations.*`` indicators on seeded rounds, against values counted by hand: who was
asked before the reviews of each month, whose answers came back by the as-of date, by
respondent group; the reviews whose consultation has the child's own answers; the drill-down
lists the rounds behind each figure; the kpis command and the scorecard's choice of rows carry them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.reviews.factories import child, officer

from .factories import consultation, respondent

D = dt.date
JAN = (D(2026, 1, 1), D(2026, 1, 31))
FEB = (D(2026, 2, 1), D(2026, 2, 28))


@pytest.fixture
def app_config(smtp):
    return {"TODAY": "2026-01-05", **smtp.config()}


def _answered_on(r, day: str, **answers):
    """The respondent's answers, sent on ``day`` (the form's own timestamp, set as that day's noon)."""
    from tracker.consultations import operations

    for question, text in (answers or {"anything_else": "Views"}).items():
        operations.save_answer(r, question, text)
    operations.submit(r)
    r.submitted_at = dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def seeded(app):
    """Round A (C1, review 20 Jan): child ✓ 15 Jan, parent ✓ 18 Jan, carer ✗, social worker ✓ (paper, 19 Jan).
    Round B (C2, review 28 Jan): parent ✗, family ✗, carer ✓ 25 Jan.
    Round C (C1, review 10 Feb): child ✗, parent ✓ 12 Feb (after the review, before it closed), school ✓ 1 Feb."""
    from tracker.consultations import operations
    from tracker.extensions import db

    with app.app_context():
        officer("Q1")
        c1 = child("C1", start="2025-01-06", officer_id="Q1", first_name="Amy", last_name="Ng")
        c2 = child("C2", start="2025-01-06", officer_id="Q1", first_name="Bo", last_name="Li")
        a, b, c = consultation(c1, "2026-01-20"), consultation(c2, "2026-01-28"), consultation(c1, "2026-02-10")
        _answered_on(respondent(a, "child", "Amy", "amy@example.net"), "2026-01-15")
        _answered_on(respondent(a, "parent", "Pat", "pat@example.net"), "2026-01-18")
        respondent(a, "carer", "Cam", "cam@example.net")
        sol = respondent(a, "social_worker", "Sol", None)
        operations.enter_answers(sol, {"health": "Seen by the GP"}, None)
        sol.submitted_at = dt.datetime(2026, 1, 19, 12, tzinfo=dt.UTC)
        respondent(b, "parent", "Pia", "pia@example.net")
        respondent(b, "family", "Gran", "gran@example.net")
        _answered_on(respondent(b, "carer", "Cy", "cy@example.net"), "2026-01-25")
        respondent(c, "child", "Amy", "amy@example.net")
        _answered_on(respondent(c, "parent", "Pat", "pat@example.net"), "2026-02-12")
        _answered_on(respondent(c, "school", "Ms Head", "head@example.net"), "2026-02-01")
        db.session.commit()
        return {"A": a.round_id, "B": b.round_id, "C": c.round_id}


def _figures(app, period, as_of=None):
    from tracker.core import kpis

    with app.app_context():
        got = kpis.compute(kpis.Period(*period, as_of or period[1]))
    return {k.removeprefix("consultations."): v for k, v in got.items() if k.startswith("consultations.")}


def _rate(figure) -> tuple:
    return (figure.numerator, figure.denominator, figure.value)


def test_january_by_respondent_group(app, seeded):
    f = _figures(app, JAN)
    assert {g: f[f"sent.{g}"].value for g in ("child", "parent", "carer", "family", "professional")} == {
        "child": 1, "parent": 2, "carer": 2, "family": 1, "professional": 1
    }  # fmt: skip
    assert f["sent"].value == 7 and f["returned"].value == 4
    assert _rate(f["return_rate"]) == (4, 7, Decimal("57.14"))
    assert _rate(f["return_rate.child"]) == (1, 1, Decimal("100.00"))
    assert _rate(f["return_rate.parent"]) == (1, 2, Decimal("50.00"))
    assert _rate(f["return_rate.carer"]) == (1, 2, Decimal("50.00"))
    assert _rate(f["return_rate.family"]) == (0, 1, Decimal("0.00"))
    assert _rate(f["return_rate.professional"]) == (1, 1, Decimal("100.00"))
    assert _rate(f["reviews_with_child_view"]) == (1, 2, Decimal("50.00"))


def test_february_and_the_as_of_date(app, seeded):
    f = _figures(app, FEB)
    assert (f["sent"].value, f["returned"].value) == (3, 2)
    assert _rate(f["return_rate"]) == (2, 3, Decimal("66.67"))
    assert _rate(f["return_rate.child"]) == (0, 1, Decimal("0.00"))
    assert _rate(f["reviews_with_child_view"]) == (0, 1, Decimal("0.00"))
    before = _figures(app, FEB, as_of=D(2026, 2, 11))  # the parent's answers came on 12 February
    assert _rate(before["return_rate.parent"]) == (0, 1, Decimal("0.00"))
    assert before["returned"].value == 1


def test_a_month_without_consultations_has_no_rate(app, seeded):
    f = _figures(app, (D(2026, 3, 1), D(2026, 3, 31)))
    assert f["sent"].value == 0 and f["return_rate"].value is None


def test_the_drill_down_lists_the_rounds_behind_a_figure(app, seeded, login_as, client_request):
    from tracker.core import kpis

    with app.app_context():
        period = kpis.Period(*JAN, JAN[1])
        asked = kpis.drill("consultations.sent.parent", period)
        back = kpis.drill("consultations.return_rate.parent", period, "numerator")
        rounds = kpis.drill("consultations.reviews_with_child_view", period, "denominator")
    assert [r["ref"] for r in asked] == [seeded["A"], seeded["B"]]
    assert [r["ref"] for r in back] == [seeded["A"]] and "answered 18 January 2026" in back[0]["label"]
    assert [r["ref"] for r in rounds] == [seeded["A"], seeded["B"]]
    assert rounds[0]["url"] == f"/children/consultations/{seeded['A']}"
    login_as("iro_manager")
    page = client_request.get("/kpis/consultations.returned.carer/numerator?from=2026-01-01&to=2026-01-31")
    assert [link for link in page.hrefs() if "/children/consultations/" in link] == [
        f"/children/consultations/{seeded['B']}"
    ]


def test_the_kpis_command_and_the_scorecard_offer_them(app, seeded, runner, login_as, client_request):
    from tracker.core import kpis

    result = runner.invoke(args=["kpis", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["indicators"]["consultations.return_rate.parent"] == {"numerator": 1, "denominator": 2, "value": 50.0}
    with app.app_context():
        ids = {i.id for i in kpis.indicators()}
    assert {"consultations.sent", "consultations.returned", "consultations.return_rate"} <= ids
    login_as("admin")
    form = client_request.get("/board/configure/sections/1/rows/new")
    offered = {o["value"]: o.get_text(strip=True) for o in form.select("select#indicator_id option")}
    assert offered["consultations.return_rate.parent"] == (
        "Consultations before reviews: Consultations returned: parent (% of those sent)"
    )


def test_the_iro_managers_home_page_shows_take_up_by_group(app, seeded, login_as, client_request):
    app.config["TODAY"] = "2026-02-28"
    login_as("iro_manager")
    page = client_request.get("/")
    assert page.table("#consultation-take-up") == [
        ["Everyone asked", "10", "6", "60.00%"],
        ["Child", "2", "1", "50.00%"],
        ["Parent", "3", "2", "66.67%"],
        ["Carer", "2", "1", "50.00%"],
        ["Other family member", "1", "0", "0.00%"],
        ["Professional", "2", "2", "100.00%"],
    ]
    assert "/kpis/consultations.return_rate.parent/numerator?from=2025-04-01&to=2026-02-28" in page.hrefs(
        "#consultation-take-up"
    )  # each returned count opens the respondents behind it
    assert "Reviews with the child's own answers: 33.33% (1 of 3)" in page.text
    login_as("qaro", email="q@example.org")
    assert not client_request.get("/").select("#consultation-take-up")
