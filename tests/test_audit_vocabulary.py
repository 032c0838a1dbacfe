"""The audit log speaks one vocabulary (tracker.core.audit.ACTIONS): ``noun.verb`` names, each
written somewhere, and nothing written outside the list."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracker.core.audit import ACTIONS

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


def _written_actions() -> dict[str, list[str]]:
    """Every action string passed to ``audit.record`` (or chosen by a conditional expression
    there) in the application's source, with where it is written."""
    written: dict[str, list[str]] = {}
    for path in TRACKER.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "record"
            ):
                continue
            if not node.args:
                continue
            first = node.args[0]
            candidates = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    written.setdefault(candidate.value, []).append(f"{path.relative_to(TRACKER)}:{node.lineno}")
    return written


def test_every_action_name_is_noun_dot_verb():
    bad = [a for a in ACTIONS if not re.fullmatch(r"[a-z0-9_]+\.[a-z_]+", a)]
    assert bad == []


def test_every_action_written_is_in_the_vocabulary():
    written = _written_actions()
    assert written, "no audit.record calls found: the scan is broken"
    unknown = {action: where for action, where in written.items() if action not in ACTIONS}
    assert unknown == {}


def _string_constants() -> set[str]:
    found = set()
    for path in TRACKER.rglob("*.py"):
        if path.name == "audit.py" and path.parent.name == "core":
            continue  # the vocabulary itself
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_action_in_the_vocabulary_is_written_somewhere():
    """No dead words: each action is named in the code that writes it (directly to
    ``audit.record`` or through a feature's helper, as LADO's ``_change_referral``)."""
    assert sorted(set(ACTIONS) - _string_constants()) == []


def test_recording_an_unknown_action_is_refused(app):
    from tracker.core import audit

    with app.app_context(), pytest.raises(ValueError, match="not in the audit vocabulary"):
        audit.record("review.edited")
