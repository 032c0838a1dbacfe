"""Users, roles, sign-in and sign-out."""

from __future__ import annotations

import click
from flask import Flask

from tracker.cli import command
from tracker.core.errors import DomainError
from tracker.core.permissions import ROLE_CODES


def init_app(app: Flask) -> None:
    from tracker.auth import importers, models, operations, sessions  # noqa: F401  (officers.csv; the user loader)
    from tracker.auth.views import bp, password_change_first
    from tracker.extensions import login_manager

    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to use the tracker."
    login_manager.login_message_category = "info"
    login_manager.unauthorized_handler(sessions.unauthorized)
    # First of all the request hooks, ahead of the CSRF check: an ended session is cleared before
    # anything reads the user, and a form posted after its end is kept rather than refused.
    app.before_request_funcs.setdefault(None, []).insert(0, sessions.guard)
    # Next, a user signed in with a temporary password goes to the change-password page first.
    app.before_request_funcs[None].insert(1, password_change_first)
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_password_command)
    operations.dummy_hash()  # made once per process, now, not during someone's first sign-in


@command("create-user")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(ROLE_CODES),
    help="A role to give the user; repeat for several.",
)
@click.option("--name", default=None, help="Full name (defaults to the email address).")
@click.option("--officer-id", default=None, help="The officer id the council's files use for this person.")
@click.option("--team", default=None, help="Team name.")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt=True,
    hide_input=True,
    help="Prompted for (twice) when not given.",
)
def create_user_command(email, roles, name, officer_id, team, password):
    """Create a user who can sign in (EMAIL, one or more --role). The password follows the
    password rule: 12 characters or more, not a common one, not the user's name or email."""
    from tracker.auth import operations

    try:
        user = operations.create_user(
            email=email,
            name=name or email,
            roles=roles,
            password=password,
            officer_id=officer_id,
            team=team,
            actor="cli:create-user",
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created user {user.id} with roles: {', '.join(sorted(user.role_codes))}")


@command("set-password")
@click.argument("email")
@click.password_option(
    "--password",
    prompt="New password",
    confirmation_prompt=True,
    hide_input=True,
    help="Prompted for (twice) when not given.",
)
def set_password_command(email, password):
    """Give the user EMAIL a new password (12 characters or more, not a common one, not their
    name or email); every session of theirs ends."""
    from tracker.auth import operations
    from tracker.auth.models import user_by_email

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email address {email}")
    try:
        operations.set_password(user, password, actor="cli:set-password")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Password changed for user {user.id}; their sessions have ended.")
