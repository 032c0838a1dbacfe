"""Benchmarks: a synthetic authority at scale, imported and queried through the real paths.

    make bench                      # 5,000 children over 5 years, SQLite
    BENCH_CHILDREN=20000 make bench
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench make bench

Prints a Markdown table (seconds, best of BENCH_REPEAT runs) to paste into docs/benchmarks.md.
Timings belong here, not in the unit tests.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import tracker  # noqa: E402

CHILDREN = int(os.environ.get("BENCH_CHILDREN", "5000"))
YEARS = int(os.environ.get("BENCH_YEARS", "5"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TODAY = dt.date(2026, 11, 20)


def _fresh_database(tmp: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite'}"
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    return url


def timed(label: str, fn, rows: list, repeat: int = REPEAT):
    best = None
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    rows.append((label, best))
    print(f"{label}: {best:.3f} s", file=sys.stderr)
    return result


def median_timed(label: str, fn, rows: list, repeat: int = 5):
    """The median of ``repeat`` runs (the board's scorecard target is a median, issue 14)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    rows.append((f"{label} (median of {repeat})", times[len(times) // 2]))
    print(f"{label}: median {times[len(times) // 2]:.3f} s", file=sys.stderr)


def main() -> None:
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        uri = _fresh_database(tmp)
        app = tracker.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": uri,
                "SECRET_KEY": "bench",
                "TODAY": TODAY.isoformat(),
                "WTF_CSRF_ENABLED": False,
            }
        )
        data = tmp / "data"
        from tracker.core import interchange, kpis, worklist
        from tracker.demo import synthetic
        from tracker.extensions import db

        counts = timed(
            "generate-data",
            lambda: synthetic.generate(data, children=CHILDREN, years=YEARS, seed=11, today=TODAY),
            rows,
            repeat=1,
        )
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="head")

            def load():  # as the import-data command does: the engine's one transaction, committed
                result = interchange.run(data)
                db.session.commit()
                return result

            result = timed("import-data (first load)", load, rows, repeat=1)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # the whole process, in bytes
            assert result.ok, result.problems[:5]
            timed("import-data (re-load, idempotent)", load, rows, repeat=1)
            year_start = dt.date(TODAY.year - 1, 4, 1)
            year_end = dt.date(TODAY.year, 3, 31)
            as_of = min(year_end, TODAY)
            timed("kpis: one financial year", lambda: kpis.report(year_start, year_end, as_of), rows)
            timed(
                "kpis: financial year --by month", lambda: kpis.report(year_start, year_end, as_of, by_month=True), rows
            )
            months = kpis.months(year_start, year_end)
            for group in kpis.REGISTRY.groups:  # each family's cost (the history-doubling ratio compares these)
                ids = [ind.id for ind in group.indicators]
                timed(
                    f"kpis by month, in-process: {ids[0].split('.')[0]} ({group.compute.__module__})",
                    lambda ids=ids: [kpis.compute(p, ids) for p in months],
                    rows,
                )
            items = timed("due-items: everything open (worded)", lambda: worklist.collect(TODAY), rows)
            timed("due-items: everything open (streamed)", lambda: sum(1 for _ in worklist.stream(TODAY)), rows)
            timed("worklist: one page of 50 of everything open", lambda: worklist.collect_page(TODAY, 2, 50), rows)
            _digest(app, tmp, rows)
        client = app.test_client()
        from tracker.auth.models import User

        with app.app_context():
            manager = User(email="bench-manager@example.org", name="Bench manager")
            manager.set_roles(["iro_manager", "manager", "lado_manager", "admin"])
            db.session.add(manager)
            db.session.commit()
            manager_id = manager.id
            qaro_id = db.session.scalar(
                text("SELECT officer_id FROM users WHERE officer_id LIKE 'Q%' ORDER BY officer_id LIMIT 1")
            )
            manager.officer_id = None
        with client.session_transaction() as sess:
            sess["_user_id"] = str(manager_id)
        pages = [
            p
            for p in (
                "/",
                "/worklist/",
                "/children/",
                "/children/team",
                "/escalations/all",
                "/lado/",
                "/lado/referrals",
                "/kpis/",
                "/kpis/monthly",
                "/worklist/?state=any&format=xlsx",
            )
            if _exists(app, p)
        ]
        for page in pages:
            status = client.get(page).status_code
            timed(f"page GET {page} ({status})", lambda page=page: client.get(page), rows)
        if _exists(app, "/board/"):
            _board(app, client, rows)
    print(
        f"\nSynthetic authority: {CHILDREN} children over {YEARS} years ({sum(counts.values())} rows: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + ")"
    )
    print(
        f"Database: {make_url(uri).get_backend_name()}; open due items: {len(items)}; process peak memory after the import {peak / 1e6:.0f} MB; QARO sample {qaro_id}\n"
    )
    print("| step | seconds |\n|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3f} |")


def _board(app, client, rows: list) -> None:
    """The board's scorecard: six months computed live, then the same six months frozen (read
    from the snapshots), and freezing one month."""
    from tracker.board import operations, scorecard
    from tracker.core import kpis
    from tracker.extensions import db

    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the last complete month
    page = f"/board/?month={month:%Y-%m}"
    status = client.get(page).status_code
    median_timed(f"page GET /board/ ({status}), six months live", lambda: client.get(page), rows)
    with app.app_context():
        months = [scorecard.first_of(p.start) for p in kpis.months_ending(month, TODAY, scorecard.SIX)]
        timed("board: freeze one month (every indicator)", lambda: operations.freeze_month(months[0]), rows, 1)
        for m in months[1:]:
            operations.freeze_month(m)
        db.session.commit()
    median_timed(
        f"page GET /board/ ({client.get(page).status_code}), six months frozen", lambda: client.get(page), rows
    )
    print_page = f"/board/print?month={month:%Y-%m}"
    if _exists(app, "/board/print"):
        status = client.get(print_page).status_code
        timed(f"page GET /board/print ({status}), 12-month charts, six frozen", lambda: client.get(print_page), rows)


def _digest(app, tmp: Path, rows: list) -> None:
    """The daily digest job for the last working day: every officer's email and every manager's,
    written as files (the sending itself is the mail server's time)."""
    from tracker.core.calendar import is_working_day
    from tracker.jobs.runner import run_job

    day = TODAY
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    app.config["MAIL_FOLDER"] = str(tmp / "mail")
    run = timed("digest job: every officer's email (to files)", lambda: run_job("digest", day), rows, repeat=1)
    assert run.failed == 0 and run.sent > 0, run.detail


def _exists(app, path: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.partition("?")[0], method="GET")
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
