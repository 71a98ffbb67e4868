"""The ``flashtutor`` command line: a thin shell over the services and the model."""

from __future__ import annotations

import click

from app.settings import get_settings


@click.group()
@click.version_option(package_name="flashtutor")
def main() -> None:
    """FlashTutor: a self-hostable math tutor."""


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets masked)."""
    settings = get_settings()
    for name, value in settings.model_dump().items():
        if "secret" in name and value:
            value = "***"
        click.echo(f"{name} = {value}")
