"""Fixtures of the panel tests.

- ``app_config``: today is 30 June 2023 (the operations and the import refuse later dates for
  what must already have happened); a module that needs another day overrides it.
- ``ctx``: an app context for direct database work.
- ``seed``: ``with seed(): ...`` builds records in an app context and commits them at the end of
  the block, as the request lifecycle commits a page's change.
- ``panel_import``: ``panel_import(folder, {"panel_meetings.csv": [row dict, ...], ...})`` writes
  the files with the contract's header (interchange.md §1; a row's missing columns are blank) and
  runs the real ``import-data`` command; it returns the problems it printed (``[]`` when the import
  succeeded and committed).
- ``panel_counts``: ``panel_counts()`` is the number of meetings, cases, households and carer
  reviews in the database (to prove that a refused import left nothing behind).
"""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path

import pytest

TODAY = "2023-06-30"


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def seed(app):
    from tracker.extensions import db

    @contextmanager
    def block():
        with app.app_context():
            yield
            db.session.commit()

    return block


def write_import_files(folder: Path, files: dict[str, list[dict]]) -> Path:
    """A folder of CSV files with the contract's header (``interchange.FILES``)."""
    from tracker.core.interchange import FILES

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [c.name for c in FILES[name]], restval="")
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture
def panel_import(runner):
    def _import(folder: Path, files: dict[str, list[dict]]) -> list[str]:
        write_import_files(folder, files)
        result = runner.invoke(args=["import-data", str(folder)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        problems = [
            line for line in result.stderr.splitlines() if not line.startswith(("Nothing was imported", "warning:"))
        ]
        assert (result.exit_code == 0) == (problems == []), result.output
        return problems

    return _import


@pytest.fixture
def panel_counts(app):
    def _counts() -> tuple[int, int, int, int]:
        from sqlalchemy import func, select

        from tracker.extensions import db
        from tracker.panels.models import CarerReview, FosterHousehold, PanelCase, PanelMeeting

        with app.app_context():
            return tuple(
                db.session.scalar(select(func.count()).select_from(model))
                for model in (PanelMeeting, PanelCase, FosterHousehold, CarerReview)
            )

    return _counts
