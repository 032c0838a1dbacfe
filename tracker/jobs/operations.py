"""Changes to notification settings (audited ``user.set_notifications``): whether a user receives
the daily digest (their own choice, or an administrator's), and who is the board chair (an
administrator's). Stage-4 escalation alerts cannot be turned off (issue 15)."""

from __future__ import annotations

from tracker.core import audit
from tracker.extensions import db

NOTIFICATION_FIELDS = ("receives_digest", "board_chair")


def set_notifications(user, *, receives_digest: bool, board_chair: bool | None = None, by=None) -> bool:
    """Set the user's digest preference (and, when given, the board-chair flag). Returns False
    (and writes nothing) when nothing changes."""
    before = audit.snapshot(user, NOTIFICATION_FIELDS)
    user.receives_digest = bool(receives_digest)
    if board_chair is not None:
        user.board_chair = bool(board_chair)
    before, after = audit.changed(before, audit.snapshot(user, NOTIFICATION_FIELDS))
    if not after:
        return False
    db.session.flush()
    words = {
        "receives_digest": "daily digest " + ("on" if user.receives_digest else "off"),
        "board_chair": "board chair" if user.board_chair else "not the board chair",
    }
    audit.record(
        "user.set_notifications",
        object_type="user",
        object_id=user.id,
        summary="Notifications: " + ", ".join(words[k] for k in sorted(after)),
        before=before,
        after=after,
        user=by,
    )
    return True
