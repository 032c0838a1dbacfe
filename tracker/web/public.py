"""Pages for people without an account (the consultation form under ``/consult/``): they share
nothing with the staff pages. The staff session cookie is neither read nor written on them
(``TrackerSessionInterface``), the session guard and the sign-in rules skip them, and their
personal-link tokens never reach a log: ``redact`` rewrites the token in a logged path (the
development server's and gunicorn's access lines: ``install_redaction``, gunicorn.conf.py)."""

from __future__ import annotations

import logging
import re

PUBLIC_PREFIX = "/consult/"


def personal_link(view):
    """Marks a view that needs no account: a personal link (its token) is the key. It declares so
    instead of ``require`` (tests/test_access.py holds every other view to ``require``)."""
    view.personal_link = True
    return view


TOKEN_IN_PATH = re.compile(r"(/consult/)[^/\s?\"]+")


def is_public_path(path: str | None) -> bool:
    return bool(path) and (path + "/").startswith(PUBLIC_PREFIX)


def redact(text: str) -> str:
    """``/consult/<token>/…`` → ``/consult/[token]/…``."""
    return TOKEN_IN_PATH.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """A log filter: a record whose message or arguments name a consultation link is written with
    the token replaced (a dict of arguments, gunicorn's access-log atoms, is redacted value by value)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif record.args:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            record.msg, record.args = redact(message), ()
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_redaction(*logger_names: str) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
