"""A developer's set-up (README "Quick start"): `make run` serves on the host and port asked for;
`make test` runs the PostgreSQL leg whenever a server answers on 127.0.0.1:5432, says so before
the run, and the suite's last line says whether it ran. CI (`.ci/run`) is just `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, postgres_leg_report

LOCAL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> list[str]:
    """The commands `make` would run (`make -n`), one a line, nothing run."""
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ | {"MAKEFLAGS": ""}
    )
    return result.stdout.splitlines()


def flask_run_line(*args: str) -> str:
    [line] = [line for line in dry_run("run", *args) if "--app tracker run" in line]
    return line


def test_make_run_serves_on_127_0_0_1_port_5000_by_default():
    assert flask_run_line().endswith("flask --app tracker run --host 127.0.0.1 --port 5000")


def test_make_run_serves_on_the_port_and_host_asked_for():
    assert flask_run_line("PORT=5055").endswith("--host 127.0.0.1 --port 5055")
    assert flask_run_line("PORT=5001", "HOST=0.0.0.0").endswith("--host 0.0.0.0 --port 5001")


def test_make_run_starts_the_scheduler_beside_the_server_and_stops_it_with_the_server():
    """The scheduler runs in the background while the server serves, and is stopped (SIGTERM,
    which it handles: lock released) when the server stops — Ctrl-C, an error or the end."""
    commands = " ".join(dry_run("run"))
    scheduler = commands.index("flask --app tracker scheduler & scheduler=$!")
    trap = commands.index("trap 'kill $scheduler 2>/dev/null; wait $scheduler' EXIT INT TERM")
    server = commands.index("flask --app tracker run --host 127.0.0.1 --port 5000")
    assert scheduler < trap < server


def postgres_url(tmp_path: Path, answers: bool | None, **env: str) -> tuple[str, str]:
    """Run .ci/postgres-url with a pg_isready that says the server answers (True), does not
    (False), or with none installed (None): its output (the URL, or nothing) and its message."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if answers is not None:
        fake = bin_dir / "pg_isready"
        fake.write_text(f"#!/bin/sh\nexit {0 if answers else 2}\n")
        fake.chmod(0o755)
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", **env}
    if answers is None:
        environ["PATH"] = str(bin_dir)
    result = subprocess.run(
        ["/bin/sh", str(ROOT / ".ci" / "postgres-url")], env=environ, capture_output=True, text=True, check=True
    )
    return result.stdout.strip(), result.stderr.strip()


def test_the_postgres_leg_is_on_when_a_server_answers_locally(tmp_path):
    url, message = postgres_url(tmp_path, answers=True)
    assert url == LOCAL
    assert message == "PostgreSQL leg on: PostgreSQL answers on 127.0.0.1:5432: testing on SQLite and PostgreSQL"


@pytest.mark.parametrize("answers", [False, None], ids=["not-running", "no-pg-isready"])
def test_the_postgres_leg_is_off_when_no_server_answers(tmp_path, answers):
    url, message = postgres_url(tmp_path, answers=answers)
    assert url == ""
    assert message == "PostgreSQL leg off: PostgreSQL is not running on 127.0.0.1:5432: testing on SQLite only"


def test_a_postgres_url_given_is_used_as_it_is(tmp_path):
    given = "postgresql+psycopg://tracker@db.example.org:5432/tracker_test"
    url, message = postgres_url(tmp_path, answers=False, TRACKER_TEST_POSTGRES_URL=given)
    assert url == given
    assert "TRACKER_TEST_POSTGRES_URL is set" in message


def test_make_test_runs_the_suite_with_the_postgres_url_and_ci_runs_make_test():
    [pytest_line] = [line for line in dry_run("test") if "-m pytest" in line]
    assert pytest_line.startswith('TRACKER_TEST_POSTGRES_URL="$(.ci/postgres-url)" ')
    commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["exec make test"]


@pytest.mark.parametrize(
    ("url_set", "available", "ran", "report"),
    [
        (True, True, 412, "PostgreSQL leg: ran, 412 tests on PostgreSQL"),
        (
            True,
            False,
            0,
            "PostgreSQL leg: NOT run: TRACKER_TEST_POSTGRES_URL is set, but its server refused a connection",
        ),
        (False, False, 0, "PostgreSQL leg: not run (TRACKER_TEST_POSTGRES_URL is not set): SQLite only"),
    ],
)
def test_the_suite_ends_saying_whether_the_postgres_leg_ran(url_set, available, ran, report):
    assert postgres_leg_report(url_set, available, ran) == report
