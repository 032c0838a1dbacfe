"""Load test: 50 signed-in users of mixed roles against gunicorn (4 workers) on PostgreSQL.

    make load                                   # 5,000 children, 50 users, 2 minutes
    LOAD_CHILDREN=20000 LOAD_DURATION=300 make load

What it does, all on this machine (127.0.0.1 only; it refuses any other host):
1. creates its own PostgreSQL database (``tracker_load``) on the server of ``LOAD_DATABASE_URL``
   (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); when PostgreSQL does not
   answer it says so and exits 0 (skipped);
2. ``flask db upgrade``, ``flask generate-data`` (``LOAD_CHILDREN`` children over ``LOAD_YEARS``
   years) and ``flask import-data``, as an operator would;
3. gives 50 users a password: the synthetic authority's first 20 QAROs, its IRO managers, LADOs
   and LADO manager (so they have caseloads), and new managers, analysts, board members and admins;
4. starts gunicorn with ``gunicorn.conf.py`` and 4 workers on a free port of 127.0.0.1;
5. signs the 50 users in (spread over the first 10 seconds) and lets each browse its role's
   pages (weighted mix below, real record references) with a think time between pages, until
   ``LOAD_DURATION`` seconds (default 120) have passed; then each signs out;
6. prints requests, errors, median and 95th percentile per page (Markdown, for
   docs/benchmarks.md), stops gunicorn and drops the database, whatever happened.

An error is any answer other than the one the page gives a user allowed to see it (200; 302
for sign-in and sign-out), or no answer within 60 seconds. The exit code is 1 when there was
any error. Every loop is bounded in time; the whole run stops itself.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import URL, make_url  # noqa: E402

ADMIN_URL = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("LOAD_DATABASE_NAME", "tracker_load")
CHILDREN = int(os.environ.get("LOAD_CHILDREN", "5000"))
YEARS = int(os.environ.get("LOAD_YEARS", "5"))
USERS = 50
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
DURATION = min(float(os.environ.get("LOAD_DURATION", "120")), 900.0)  # seconds of browsing, capped
THINK = (2.0, 8.0)  # seconds between a user's pages, uniform: about 8 pages a minute per user
RAMP_UP = 10.0  # sign-ins spread over this many seconds
TIMEOUT = 60.0  # one request; gunicorn's worker timeout is the same
PASSWORD = "load-test-password-" + secrets.token_hex(4)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

# Users by role: (role, how many, officer id prefix of the synthetic authority or None = a new user).
ROLE_MIX = [
    ("qaro", 20, "Q"),
    ("iro_manager", 2, "M"),
    ("iro_manager", 2, None),
    ("lado", 2, "L"),
    ("lado", 6, None),
    ("lado_manager", 1, "LM"),
    ("lado_manager", 1, None),
    ("manager", 6, None),
    ("analyst", 4, None),
    ("board", 3, None),
    ("admin", 3, None),
]

# Each role's pages, with weights: what a working day looks like for that role. Placeholders in
# angle brackets are filled with real references (the user's own children for a QARO).
PAGE_MIX: dict[str, list[tuple[str, int]]] = {
    "qaro": [
        ("/", 10),
        ("/worklist/mine", 20),
        ("/children/", 15),
        ("/children/<child_id>", 35),
        ("/escalations/mine", 10),
        ("/escalations/<escalation_id>", 10),
    ],
    "iro_manager": [
        ("/", 10),
        ("/worklist/", 15),
        ("/children/team", 15),
        ("/children/?scope=all", 10),
        ("/children/<child_id>", 25),
        ("/escalations/all", 10),
        ("/escalations/<escalation_id>", 5),
        ("/kpis/", 7),
        ("/kpis/<drill>", 3),
    ],
    "lado": [
        ("/", 10),
        ("/worklist/mine", 10),
        ("/lado/", 20),
        ("/lado/referrals", 20),
        ("/lado/referrals/<referral_id>", 25),
        ("/lado/contacts/<contact_id>", 15),
    ],
    "lado_manager": [
        ("/", 10),
        ("/worklist/", 10),
        ("/lado/", 10),
        ("/lado/oversight", 15),
        ("/lado/referrals", 15),
        ("/lado/referrals/<referral_id>", 20),
        ("/kpis/", 15),
        ("/kpis/<drill>", 5),
    ],
    "manager": [
        ("/", 10),
        ("/worklist/", 20),
        ("/children/team", 15),
        ("/children/?scope=all", 15),
        ("/children/<child_id>", 20),
        ("/kpis/", 15),
        ("/kpis/<drill>", 5),
    ],
    "analyst": [("/", 10), ("/kpis/", 60), ("/kpis/?from=<last_year>", 30)],
    "board": [("/", 100)],  # the board pack is not built yet: members see their home page
    "admin": [("/", 10), ("/admin/users", 30), ("/admin/audit", 40), ("/admin/rules/", 20)],
}


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- safety: this machine only ------------------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    """A loopback address or name; any other host (a name is not resolved) is not."""
    if host is None or host in LOCAL_HOSTS:
        return True  # None: a Unix socket on this machine
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_local(url: URL) -> None:
    if not is_loopback(url.host):
        sys.exit(f"load: refusing to run against {url.host}: the load test runs on this machine only (127.0.0.1)")


def require_local_base(base: str) -> None:
    if not is_loopback(httpx.URL(base).host):
        sys.exit(f"load: refusing to send load to {httpx.URL(base).host}: 127.0.0.1 only")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database -------------------------------------------------------------------------------


def postgres_answers(url: URL) -> str | None:
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        return version
    except Exception as exc:
        log(f"PostgreSQL does not answer at {url.render_as_string()}: {type(exc).__name__}")
        return None


def recreate_database(admin: URL, name: str, *, create: bool) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def environment(database_url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env |= {"TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": secret}
    return env


def flask(env: dict, *args: str) -> None:
    command = [str(Path(sys.executable).with_name("flask")), "--app", "tracker", *args]
    log(" ".join(["flask", "--app", "tracker", *args]))
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=1800)


@dataclass
class LoadUser:
    email: str
    role: str
    officer_id: str | None
    children: list[str] = field(default_factory=list)
    drills: list[str] = field(default_factory=list)


@dataclass
class Samples:
    children: list[str]
    escalations: list[str]
    referrals: list[str]
    contacts: list[str]


def prepare_users(database_url: str, secret: str) -> tuple[list[LoadUser], Samples]:
    """Give the users of ROLE_MIX a password (imported officers) or create them; pick references."""
    import tracker
    from tracker.auth import operations
    from tracker.auth.models import user_by_officer_id
    from tracker.core import kpis
    from tracker.extensions import db
    from tracker.indicators.views import may_drill

    app = tracker.create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret})
    users: list[LoadUser] = []
    with app.app_context():
        numbers: dict[str, int] = defaultdict(int)
        for role, count, prefix in ROLE_MIX:
            for _ in range(count):
                numbers[role] += 1
                if prefix is not None:
                    officer_id = f"{prefix}{sum(1 for u in users if u.officer_id and u.role == role) + 1}"
                    user = user_by_officer_id(officer_id)
                    if user is None or role not in user.role_codes:
                        sys.exit(f"load: the synthetic authority has no {role} {officer_id}")
                    user.set_password(PASSWORD)
                else:
                    user = operations.create_user(
                        email=f"load-{role.replace('_', '-')}-{numbers[role]}@example.org",
                        name=f"Load {role} {numbers[role]}",
                        roles=[role],
                        password=PASSWORD,
                        team="Load team",
                        actor="bench:load",
                    )
                db.session.flush()
                users.append(
                    LoadUser(
                        user.email,
                        role,
                        user.officer_id,
                        drills=[f"{i.id}/numerator" for i in kpis.indicators() if may_drill(user, i)],
                    )
                )
        db.session.commit()
        rows = db.session.execute(text("SELECT child_id, iro_officer_id FROM children ORDER BY child_id")).all()
        by_officer: dict[str, list[str]] = defaultdict(list)
        for child_id, officer in rows:
            by_officer[officer].append(child_id)
        for user in users:
            if user.role == "qaro":
                user.children = by_officer.get(user.officer_id, [])
        samples = Samples(
            children=[r[0] for r in rows],
            escalations=list(db.session.scalars(text("SELECT escalation_id FROM escalations"))),
            referrals=list(db.session.scalars(text("SELECT referral_id FROM lado_referrals"))),
            contacts=list(db.session.scalars(text("SELECT contact_id FROM lado_contacts"))),
        )
        db.session.remove()
        db.engine.dispose()
    return users, samples


# --- the server ---------------------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, log_file: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "tracker:create_app()",
    ]
    out = open(log_file, "wb")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server.log_handle = out
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start:\n" + log_file.read_text()[-3000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not answer within 60 s:\n" + log_file.read_text()[-3000:])


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    server.log_handle.close()


# --- the users ----------------------------------------------------------------------------------

ACCESS_LINE = re.compile(r" (\d+)ms request=([0-9a-f]+)$", re.MULTILINE)  # gunicorn.conf.py's format
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    request_ids: dict[str, str] = field(default_factory=dict)  # X-Request-ID -> label
    server: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # gunicorn's own time

    def add(self, label: str, seconds: float, problem: str | None, request_id: str | None = None) -> None:
        self.times[label].append(seconds)
        if request_id:
            self.request_ids[request_id] = label
        if problem:
            self.errors[label] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{label}: {problem}")


async def request(
    client, tally: Tally, label: str, method: str, url: str, expect: int, **kwargs
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        tally.add(label, time.perf_counter() - start, f"{type(exc).__name__} on {url}")
        return None
    problem = None
    if response.status_code != expect:
        problem = f"{response.status_code} on {method} {url} (expected {expect})"
        if response.status_code in (301, 302, 303):
            problem += f" -> {response.headers.get('location')}"
    tally.add(label, time.perf_counter() - start, problem, response.headers.get("X-Request-ID"))
    return response


def pick(user: LoadUser, samples: Samples, rng: random.Random) -> tuple[str, str]:
    mix = [(page, weight) for page, weight in PAGE_MIX[user.role] if user.drills or "<drill>" not in page]
    pages, weights = zip(*mix, strict=True)
    label = rng.choices(pages, weights)[0]
    url = label
    if "<child_id>" in label:
        url = label.replace("<child_id>", rng.choice(user.children or samples.children))
    elif "<escalation_id>" in label:
        url = label.replace("<escalation_id>", rng.choice(samples.escalations))
    elif "<referral_id>" in label:
        url = label.replace("<referral_id>", rng.choice(samples.referrals))
    elif "<contact_id>" in label:
        url = label.replace("<contact_id>", rng.choice(samples.contacts))
    elif "<last_year>" in label:  # the previous financial year's figures
        year = time.localtime().tm_year - (2 if time.localtime().tm_mon < 4 else 1)
        url = label.replace("<last_year>", f"{year}-04-01&to={year + 1}-03-31")
        label = "/kpis/?from=…&to=… (last year)"
    elif "<drill>" in label:
        url = label.replace("<drill>", rng.choice(user.drills))
        label = "/kpis/<indicator>/numerator"
    return label, url


async def browse(
    base: str, user: LoadUser, samples: Samples, tally: Tally, start_at: float, deadline: float, seed: int
):
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, follow_redirects=False) as client:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        page = await request(client, tally, "GET /login", "GET", "/login", 200)
        token = CSRF.search(page.text).group(1) if page is not None and CSRF.search(page.text) else ""
        signed_in = await request(
            client,
            tally,
            "POST /login (sign in)",
            "POST",
            "/login",
            302,
            data={"csrf_token": token, "email": user.email, "password": PASSWORD},
        )
        if signed_in is None or signed_in.status_code != 302:
            return
        while time.monotonic() < deadline:
            label, url = pick(user, samples, rng)
            await request(client, tally, label, "GET", url, 200)
            await asyncio.sleep(min(rng.uniform(*THINK), max(0.0, deadline - time.monotonic())))
        page = await request(client, tally, "GET /logout", "GET", "/logout", 200)
        token = CSRF.search(page.text).group(1) if page is not None and CSRF.search(page.text) else ""
        await request(client, tally, "POST /logout (sign out)", "POST", "/logout", 302, data={"csrf_token": token})


async def run_users(base: str, users: list[LoadUser], samples: Samples) -> tuple[Tally, float]:
    require_local_base(base)
    tally = Tally()
    begin = time.monotonic()
    deadline = begin + RAMP_UP + DURATION
    tasks = [
        browse(base, user, samples, tally, begin + RAMP_UP * i / len(users), deadline, seed=i)
        for i, user in enumerate(users)
    ]
    # bounded: the last page may take TIMEOUT, signing out two more requests
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=RAMP_UP + DURATION + 3 * TIMEOUT + 30)
    return tally, time.monotonic() - begin


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def machine(pg_version: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    import gunicorn

    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GB RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, gunicorn {gunicorn.__version__} ({WORKERS} sync workers), "
        f"PostgreSQL {pg_version}, all on the same machine (load generator included)"
    )


def report(tally: Tally, elapsed: float, server_errors: int, pg_version: str) -> None:
    total = sum(len(v) for v in tally.times.values())
    errors = sum(tally.errors.values())
    print(f"Machine: {machine(pg_version)}.")
    print(
        f"Run: {USERS} users ({', '.join(f'{n} {r}' for r, n in role_counts().items())}), "
        f"{CHILDREN} children over {YEARS} years, {DURATION:.0f} s of browsing after a {RAMP_UP:.0f} s ramp-up, "
        f"think time {THINK[0]:.0f}–{THINK[1]:.0f} s; {total} requests in {elapsed:.0f} s "
        f"({total / elapsed:.1f} per second), {errors} errors; 5xx in gunicorn's access log: {server_errors}.\n"
    )
    print(
        "| page | requests | errors | median ms | 95th percentile ms | worker median ms | worker 95th ms |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    for label in sorted(tally.times, key=lambda k: (-len(tally.times[k]), k)):
        times, server = tally.times[label], tally.server.get(label) or [0.0]
        print(
            f"| `{label}` | {len(times)} | {tally.errors.get(label, 0)} | "
            f"{statistics.median(times) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} | "
            f"{statistics.median(server) * 1000:.0f} | {percentile(server, 0.95) * 1000:.0f} |"
        )
    pages = [label for label in tally.times if label.startswith("/")]
    every = [t for label in pages for t in tally.times[label]]
    failed = sum(tally.errors.get(label, 0) for label in pages)
    worked = [t for label in pages for t in tally.server.get(label, [])] or [0.0]
    print(
        f"| **all pages** (not signing in or out) | {len(every)} | {failed} | "
        f"{statistics.median(every) * 1000:.0f} | {percentile(every, 0.95) * 1000:.0f} | "
        f"{statistics.median(worked) * 1000:.0f} | {percentile(worked, 0.95) * 1000:.0f} |"
    )
    for example in tally.examples:
        print(f"error: {example}", file=sys.stderr)


def role_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for role, count, _ in ROLE_MIX:
        counts[role] = counts.get(role, 0) + count
    return counts


def main() -> int:
    assert sum(count for _, count, _ in ROLE_MIX) == USERS
    admin = make_url(ADMIN_URL)
    require_local(admin)
    pg_version = postgres_answers(admin)
    if pg_version is None:
        print("load: skipped: PostgreSQL does not answer (set LOAD_DATABASE_URL to a local server)")
        return 0
    database_url = admin.set(database=DATABASE).render_as_string(hide_password=False)
    secret = secrets.token_hex(32)
    env = environment(database_url, secret)
    recreate_database(admin, DATABASE, create=True)
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="tracker-load-") as tmp:
            data = Path(tmp) / "data"
            flask(env, "db", "upgrade")
            flask(env, "generate-data", str(data), "--children", str(CHILDREN), "--years", str(YEARS), "--seed", "11")
            flask(env, "import-data", str(data))
            log("signing up the users")
            users, samples = prepare_users(database_url, secret)
            port = free_port()
            log_file = Path(tmp) / "gunicorn.log"
            server = start_gunicorn(env, port, log_file)
            log(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port}; {USERS} users for {DURATION:.0f} s")
            tally, elapsed = asyncio.run(run_users(f"http://127.0.0.1:{port}", users, samples))
            stop_gunicorn(server)
            server = None
            access = log_file.read_text(errors="replace")
            server_errors = len(re.findall(r'HTTP/1\.[01]" 5\d\d ', access))
            for ms, request_id in ACCESS_LINE.findall(access):  # the time a worker spent on each request
                if request_id in tally.request_ids:
                    tally.server[tally.request_ids[request_id]].append(int(ms) / 1000)
            if "WORKER TIMEOUT" in access:
                log("gunicorn killed a worker that was silent for too long (WORKER TIMEOUT)")
                server_errors += access.count("WORKER TIMEOUT")
            report(tally, elapsed, server_errors, pg_version)
            failed = sum(tally.errors.values()) + server_errors
            if failed:
                log(f"{failed} error(s): gunicorn's log ends with:\n" + access[-3000:])
            return 1 if failed else 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        recreate_database(admin, DATABASE, create=False)
        log(f"dropped the database {DATABASE}")


if __name__ == "__main__":
    sys.exit(main())
