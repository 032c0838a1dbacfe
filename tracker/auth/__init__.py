"""Users, roles, sign-in and sign-out."""

from __future__ import annotations

import click
from flask import Flask

from tracker.cli import command
from tracker.core.errors import DomainError
from tracker.core.permissions import ROLE_CODES


def init_app(app: Flask) -> None:
    from tracker.auth import importers, models  # noqa: F401  (the user loader; officers.csv)
    from tracker.auth.views import bp
    from tracker.extensions import login_manager

    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to use the tracker."
    login_manager.login_message_category = "info"
    app.cli.add_command(create_user_command)


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
    """Create a user who can sign in (EMAIL, one or more --role)."""
    from tracker.auth import operations

    if len(password) < 8:
        raise click.UsageError("The password must be at least 8 characters long")
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
