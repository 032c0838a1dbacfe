"""Sending email: one message (plain text plus simple HTML) to one address, through the
standard library's ``smtplib`` with the ``TRACKER_MAIL_*`` settings, or — when no mail server is
configured (development, ``make run``) — written as ``.eml`` files to ``instance/mail/`` (or to the
log with ``MAIL_BACKEND = "console"``) so that digests can be read without sending anything.

Messages carry record references, kinds, dates and links only — never a child's, subject's or
carer's name, date of birth or case detail (GOV.UK Notify's rule for personal data); the log
names neither the address nor the content."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger("tracker.jobs")

BACKENDS = ("smtp", "file", "console")
# A subject is one header line (RFC 5322 allows 998 characters): folded at 78, some mail programs
# show the continuation's leading space.
HEADERS_UNFOLDED = policy.default.clone(max_line_length=998)


class MailError(Exception):
    """A message could not be sent (the recipient is retried on the next run)."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str

    def message(self, sender: str) -> EmailMessage:
        msg = EmailMessage(policy=HEADERS_UNFOLDED)
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = self.to
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg


def backend() -> str:
    """``MAIL_BACKEND`` when set; otherwise SMTP when a mail server is configured, else files."""
    chosen = current_app.config.get("MAIL_BACKEND") or ("smtp" if current_app.config.get("MAIL_SERVER") else "file")
    if chosen not in BACKENDS:
        raise MailError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {chosen!r}")
    return chosen


def sender() -> str:
    return current_app.config.get("MAIL_SENDER") or "tracker@localhost"


def mail_folder() -> Path:
    return Path(current_app.config.get("MAIL_FOLDER") or Path(current_app.instance_path) / "mail")


def send(email: Email) -> None:
    """Send one message, raising ``MailError`` when it does not go."""
    msg = email.message(sender())
    chosen = backend()
    if chosen == "smtp":
        _smtp(msg)
    elif chosen == "file":
        folder = mail_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name = msg["Message-ID"].strip("<>").replace("@", "_").replace("/", "_") + ".eml"
        (folder / name).write_bytes(msg.as_bytes())
        log.info("Email written to %s (no mail server is configured)", folder / name)
    else:
        log.info("Email (no mail server is configured):\n%s", msg.as_string())


def _smtp(msg: EmailMessage) -> None:
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 30)
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(_describe(exc)) from exc


def _describe(exc: Exception) -> str:
    """The error an administrator reads: the SMTP code and reply, or the connection error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values())
        return f"The mail server refused the recipient: {replies}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server replied {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return f"{type(exc).__name__}: {exc}"
