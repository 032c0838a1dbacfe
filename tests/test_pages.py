"""Every page of every role renders — in this checkout and in a fresh copy of the repository.

The sweep imports the small authority through the real ``import-data`` command, signs in as
each role and GETs every page of the application (every GET rule of the URL map, its
arguments filled with real references): a role holding one of the page's capabilities gets
the page (200, or the redirect some pages answer with), any other role gets 403, and nobody
ever gets a server error. The same sweep then runs in a fresh copy of the repository's files
(what ``git clone`` would give: tracked and unignored files only, no ``node_modules``, no
installed GOV.UK assets, no instance folder), importing ``tracker`` from that copy, which
proves the templates are found from the top-level ``templates/`` folder wherever the code runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small-authority" / "data"

# Sample references in the small authority, by URL argument (per endpoint where they differ).
ARGUMENTS = {
    "child_id": "C00001",
    "review_id": "R000001",
    "iro_contact_id": "K000001",
    "escalation_id": "E00009",
    "stage": "informal",  # a stage of E00009
    "contact_id": "LC00001",
    "referral_id": "LR00001",
    "meeting_id": "LR00001i",
    "action_id": "LR00001a0",
    "name": "cic_review_first",
    "indicator_id": "reviews.held",
    "part": "numerator",
    "household_id": "H003",  # a foster household (mainstream, reviewed)
    "carer_review_id": "H003r1",  # a review of H003
    "fmt": "xlsx",  # the board pack's download (/board/pack.xlsx)
    "section_id": 1,  # the scorecard's first section (Reviews; the migration's default scorecard)
    "row_id": 1,  # its first row
    "month": "2023-03",  # a board month, as YYYY-MM
}
ENDPOINT_ARGUMENTS = {
    "lado.organisation": {"ref": "ORG043"},
}
SAMPLE_PERSON = "P0112"  # a LADO person's page is at their public id (random: read after the import)
# Pages that answer a GET with a redirect for a user allowed to use them.
REDIRECTS = {
    "auth.login": "signed in already: sent home",
    "escalations.index": "to the user's own or everyone's list",
    "reviews.children": "to the caseload with scope=all",
    "lado.complete_action": "a POST form; GET goes back to the action",
    "lado.review_action": "a POST form; GET goes back to the action",
}
# Pages of one record that only some holders of their capability may use (an object-level check):
# the roles of the sweep who may. A meeting or an action is removed by its author or a LADO manager,
# and the small authority's (imported) have no author.
# An escalation is corrected by who raised it, the child's QARO or the IRO manager: E00009 is neither the
# sweep QARO's (raised by Q10 about C00009).
OBJECT_LEVEL = {
    "lado.remove_meeting": {"lado_manager"},
    "lado.remove_action": {"lado_manager"},
    "escalations.edit": {"iro_manager"},
    "escalations.edit_stage": {"iro_manager"},
}
SKIPPED = {"static", "govuk_assets"}  # files, not pages
SWEEP_QARO = "QSWEEP"  # the officer id of the sweep's QARO, to whom the sample child is allocated


def _url(adapter, rule, values) -> str:
    return adapter.build(rule.endpoint, values)


def panel_samples() -> dict:
    """A booked panel meeting with a case on its agenda, made for the panel pages whatever the
    import holds (in an app context; the caller commits): their URL arguments."""
    from tracker.core.clock import today
    from tracker.panels import operations as panels

    meeting = panels.book_meeting(panel="fostering", meeting_date=today() + dt.timedelta(days=7))
    case = panels.add_case(panel="fostering", case_type="approval", subject_ref="H001", meeting_id=meeting.meeting_id)
    return {"meeting_id": meeting.meeting_id, "case_id": case.case_id}


def consultation_samples() -> dict:
    """A consultation before the sample child's next review with a parent asked by email, and the
    parent's personal link (in an app context; the caller commits): their URL arguments."""
    from sqlalchemy import select

    from tracker.consultations import operations as consultations
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews.models import Child

    child = db.session.scalar(select(Child).where(Child.child_id == ARGUMENTS["child_id"]))
    round_ = consultations.create_round(child, today() + dt.timedelta(days=14))
    parent = consultations.add_respondent(
        round_, respondent_type="parent", name="Sweep Parent", contact_method="email", email="parent@example.net"
    )
    token = consultations.issue_link(parent, "invitation")
    return {"round_id": round_.round_id, "respondent_id": parent.id, "token": token, "step": "health"}


def _arguments(rule, user_id: int, period_id: int, public_id: str, panel_arguments: dict | None = None) -> dict:
    values = {}
    for name in rule.arguments:
        value = ENDPOINT_ARGUMENTS.get(rule.endpoint, {}).get(name)
        if value is None and rule.endpoint.startswith(("panels.", "consultations.", "consult.")):
            value = (panel_arguments or {}).get(name)
        if value is None:
            value = {"user_id": user_id, "period_id": period_id, "public_id": public_id}.get(name, ARGUMENTS.get(name))
        if value is None:
            raise AssertionError(f"{rule.endpoint}: no sample value for the argument {name!r} (add it to ARGUMENTS)")
        values[name] = value
    return values


def _expected(app, view, endpoint: str, user) -> set[int]:
    from tracker.core import kpis, permissions

    capabilities = getattr(view, "required_capabilities", None)
    allowed = not capabilities or permissions.can_any(user, *capabilities)
    if allowed and endpoint == "kpis.drill":
        from tracker.indicators.views import may_drill

        allowed = may_drill(user, kpis.get(ARGUMENTS["indicator_id"]))
    if allowed and endpoint in OBJECT_LEVEL:
        allowed = bool(set(user.role_codes) & OBJECT_LEVEL[endpoint])
    if not allowed:
        return {403}
    return {302} if endpoint in REDIRECTS else {200}


def sweep(database_uri: str) -> list[dict]:
    """Import the small authority, then GET every page as every role; return the mismatches."""
    import flask_migrate
    from sqlalchemy import select

    import tracker
    from tracker.auth.models import User
    from tracker.core.permissions import Role
    from tracker.extensions import db
    from tracker.lado.models import LadoPerson
    from tracker.reviews import operations as reviews
    from tracker.reviews.models import CarePeriod, Child

    app = tracker.create_app({"TESTING": True, "SECRET_KEY": "pages-sweep", "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(tracker.__file__).resolve().parent.parent / "migrations"))
    result = app.test_cli_runner().invoke(args=["import-data", str(SMALL)])
    assert result.exit_code == 0, result.output
    problems = []
    with app.app_context():
        users = {}
        for role in Role:
            user = User(email=f"{role.value}@sweep.example.org", name=f"Sweep {role.label}")
            user.set_roles([role.value])
            db.session.add(user)
            users[role] = user
        # The QARO's caseload is the sample child, so the pages that change it open for them too
        # (a QARO changes only their own children's records: README "Who may change what").
        users[Role.qaro].officer_id = SWEEP_QARO
        db.session.flush()
        panel_arguments = panel_samples()
        reviews.allocate(db.session.scalar(select(Child).where(Child.child_id == ARGUMENTS["child_id"])), SWEEP_QARO)
        panel_arguments |= consultation_samples()
        db.session.commit()
        period_id = db.session.scalar(
            select(CarePeriod.id).join(Child).where(Child.child_id == ARGUMENTS["child_id"]).limit(1)
        )
        public_id = db.session.scalar(select(LadoPerson.public_id).where(LadoPerson.ref == SAMPLE_PERSON))
        adapter = app.url_map.bind("localhost")
        pages = [
            (rule, _url(adapter, rule, _arguments(rule, users[Role.admin].id, period_id, public_id, panel_arguments)))
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in SKIPPED
        ]
        roles = [(role, users[role].id) for role in Role]
    for role, user_id in roles:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        for rule, url in pages:
            response = client.get(url)
            with app.app_context():
                user = db.session.get(User, user_id)
                expected = _expected(app, app.view_functions[rule.endpoint], rule.endpoint, user)
            if response.status_code not in expected:
                problems.append(
                    {"role": role.value, "url": url, "status": response.status_code, "expected": sorted(expected)}
                )
            elif response.status_code == 200 and response.mimetype == "text/html" and b"</html>" not in response.data:
                problems.append({"role": role.value, "url": url, "status": 200, "expected": "a whole page"})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return problems


def test_every_page_of_every_role_renders(tmp_path):
    assert sweep(f"sqlite:///{tmp_path / 'sweep.sqlite'}") == []


def _fresh_copy(target: Path) -> Path:
    """The files a clone would have: tracked and unignored ones (no node_modules, no instance)."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_every_page_of_every_role_renders_from_a_fresh_copy(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    copy = _fresh_copy(tmp_path / "clone")
    assert not (copy / "node_modules").exists() and not (copy / "tracker" / "static" / "govuk").exists()
    script = (
        "import json, sys, tracker\n"
        "from tests.test_pages import sweep\n"
        f"assert tracker.__file__.startswith({str(copy)!r}), tracker.__file__\n"
        f"print(json.dumps(sweep({('sqlite:///' + str(tmp_path / 'fresh.sqlite'))!r})))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["PYTHONPATH"] = str(copy)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=copy, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_templates_live_in_the_top_level_folder_only():
    assert (ROOT / "templates" / "base.html").is_file()
    assert sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tracker").rglob("*.html")) == []
    assert not any((ROOT / "tracker").rglob("templates"))


@pytest.mark.slow
def test_gunicorn_started_elsewhere_serves_the_templates(tmp_path):
    """Production serves create_app() with gunicorn from any working directory: the explicit
    template loader finds the top-level templates wherever the process starts."""
    import socket
    import time
    import urllib.request

    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env |= {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}", "TRACKER_SECRET_KEY": "gunicorn-test"}
    server = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "tracker:create_app()"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer: " + server.stderr.read1().decode()[-2000:])
        assert "<h1" in body and "Sign in" in body
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()
