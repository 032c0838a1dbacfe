"""The password rule, in this one place (README "Accounts"), and temporary passwords.

The NCSC's guidance on passwords: length over complexity, and a deny-list of the passwords
attackers try first, rather than rules about digits and symbols (which push people towards
``Password1!``) or regular expiry. So a password

- has at least ``MIN_LENGTH`` (12) characters, and at most ``MAX_LENGTH``;
- is not easy to guess: zxcvbn (a maintained package; its lists hold the 30,000 most common
  passwords, English words, names and surnames, and it finds keyboard patterns, repeats,
  sequences, dates and l33t spellings of them) must estimate at least 10⁸ guesses for it
  (``MIN_SCORE`` 3 of 4). ``password1234`` and ``qwertyuiop12`` are refused; three random words
  (``coffee train kettle``) pass;
- does not contain the user's name or the name part of their email address.

Every way of setting a password applies it: the administrators' *Add a user*, ``create-user``,
``set-password`` and users changing their own. A temporary password (an administrator's reset)
is made here, random, and is never checked against the rule, only changed at the next sign-in.
"""

from __future__ import annotations

import re
import secrets

from zxcvbn import zxcvbn

from tracker.core.errors import DomainError

MIN_LENGTH = 12
MAX_LENGTH = 500
MIN_SCORE = 3  # zxcvbn: at least 10^8 guesses
ZXCVBN_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters of a longer one are judged
HINT = (
    f"Use {MIN_LENGTH} characters or more. Three random words make a password that is long, strong and "
    "easy to remember. Do not use a common password, your name or your email address."
)
# A temporary password: 4 groups of 4 characters, without the ones that are easily confused
# (0/o, 1/l/i), so it can be read out over the phone: 31^16, about 2^79.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_NOT_WORD = re.compile(r"[\W_]+")


def _plain(text: str | None) -> str:
    return _NOT_WORD.sub("", (text or "").casefold())


def _personal(email: str | None, name: str | None) -> list[str]:
    """What the password must not contain: the name and the email's name part (4+ letters)."""
    local = (email or "").partition("@")[0]
    return [part for part in (_plain(name), _plain(local)) if len(part) >= 4]


def check(
    password: str | None,
    *,
    email: str | None = None,
    name: str | None = None,
    field: str = "password",
    what: str = "The password",
    whose: str = "the user's",
) -> None:
    """Refuse (``DomainError`` against ``field``) a password that breaks the rule. ``what`` names
    the password in the message ("Your new password"), ``whose`` the person ("your")."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise DomainError(f"{what} must be {MIN_LENGTH} characters or more", field)
    if len(password) > MAX_LENGTH:
        raise DomainError(f"{what} must be {MAX_LENGTH} characters or fewer", field)
    plain = _plain(password)
    if any(part in plain for part in _personal(email, name)):
        raise DomainError(f"{what} must not contain {whose} name or email address", field)
    if zxcvbn(password[:ZXCVBN_LENGTH])["score"] < MIN_SCORE:
        raise DomainError(
            f"{what} is too easy to guess: it is a common password, or like one. Try three random words", field
        )


def temporary() -> str:
    """A random temporary password, e.g. ``k7mp-3xqa-hn9w-tc4e``."""
    groups = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
