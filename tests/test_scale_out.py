"""More than one machine (issue 18): two gunicorn instances on different loopback ports over one
PostgreSQL database, as behind a proxy. A user signed in on one carries on on the other; two
people editing the same record through different instances meet the conflict rule (the second
save is refused, the first kept); and of two scheduler processes against the database only one
runs jobs. Real processes over HTTP; PostgreSQL only (the production database of this layout)."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from bench.load import free_port, start_gunicorn, stop_gunicorn
from tests.jobs.test_scheduler import REFUSAL, SchedulerProcess, run_scheduler, scheduler_env
from tests.pages import Page
from tests.test_concurrency import MESSAGE, form_data, version_name, with_changes

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def instances(database_uri, app, tmp_path):
    """Two gunicorn instances (one worker each) with the same environment, on two ports."""
    if not database_uri.startswith("postgresql"):
        pytest.skip("several instances share one PostgreSQL database (README: More than one machine)")
    env = scheduler_env(database_uri, TRACKER_WORKERS="1")
    servers, bases = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            servers.append(start_gunicorn(env, port, tmp_path / f"gunicorn-{name}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        yield bases
    finally:
        for server in servers:
            stop_gunicorn(server)


@pytest.fixture
def people(app, make_user):
    """Two IRO managers with passwords, and a child to edit."""
    from tests.reviews import factories as reviews
    from tracker.extensions import db

    with app.app_context():
        reviews.officer("Q1")
        reviews.child("C1", start="2022-06-01", officer_id="Q1", first_name="Amy", last_name="Ng")
        db.session.commit()
    return [make_user(f"{name}@example.org", ["iro_manager"], password=PASSWORD) for name in ("ann", "bob")]


def sign_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = CSRF.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302 and "/login" not in answer.headers["location"], answer.text[:500]
    return client


class Answer:
    """An HTTP answer as ``tests.pages.Page`` reads a test client's."""

    def __init__(self, response: httpx.Response):
        self.status_code = response.status_code
        self.text = response.text

    def get_data(self, as_text: bool = True) -> str:
        return self.text


def on(base: str, signed_in: httpx.Client) -> httpx.Client:
    """The same browser (its cookies) sent by the proxy to another instance."""
    return httpx.Client(base_url=base, cookies=signed_in.cookies, timeout=60)


def test_signed_in_on_one_instance_the_user_carries_on_on_the_other(instances, people):
    a, b = instances
    ann = sign_in(a, "ann@example.org")
    assert ann.get("/children/C1").status_code == 200
    elsewhere = on(b, ann)
    page = elsewhere.get("/children/C1")
    assert page.status_code == 200  # not sent to the sign-in page
    assert "Amy Ng" in page.text
    signed_out = httpx.Client(base_url=b, timeout=60).get("/children/C1")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["location"]


def test_two_people_saving_one_record_through_two_instances_meet_the_conflict_rule(app, instances, people):
    from tracker.extensions import db
    from tracker.reviews.models import Child

    a, b = instances
    ann, bob = sign_in(a, "ann@example.org"), sign_in(b, "bob@example.org")
    url = "/children/C1/edit"
    ann_form = form_data(Page(Answer(ann.get(url))), None)
    bob_form = form_data(Page(Answer(bob.get(url))), None)
    assert ann_form[version_name(ann_form)] == bob_form[version_name(bob_form)]
    saved = ann.post(url, data=with_changes(ann_form, {"first_name": "Annie"}))
    assert saved.status_code == 302, saved.text[:500]
    refused = bob.post(url, data=with_changes(bob_form, {"first_name": "Bobbie"}))
    assert refused.status_code == 200
    assert MESSAGE in refused.text
    with app.app_context():
        assert db.session.scalar(select(Child.first_name).where(Child.child_id == "C1")) == "Annie"


def test_of_two_scheduler_processes_only_one_runs_jobs(database_uri, app):
    if not database_uri.startswith("postgresql"):
        pytest.skip("several hosts share one PostgreSQL database (SQLite's lock: tests/jobs/test_scheduler.py)")
    first = SchedulerProcess(database_uri)
    try:
        first.wait_for("Scheduler running")
        second = run_scheduler(database_uri)
        assert second.returncode != 0
        assert REFUSAL in second.stdout + second.stderr
        assert first.running()
    finally:
        assert first.stop() == 0, first.output
    again = SchedulerProcess(database_uri)  # the lock released: the next one runs
    try:
        again.wait_for("Scheduler running")
        assert again.running()
    finally:
        assert again.stop() == 0, again.output
