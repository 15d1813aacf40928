"""Maintenance commands: `flask --app metaops.wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from bot import manifest
from metaops import jobs
from metaops.runtime import Runtime
from store.crypto import rotate_all


def register(app: Flask) -> None:
    app.cli.add_command(rotate_keys)
    app.cli.add_command(print_manifest)
    app.cli.add_command(sweep)


def _rt() -> Runtime:
    return current_app.extensions["metaops"]


@click.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS."""
    rt = _rt()
    with rt.db.session() as s:
        n = rotate_all(s, rt.crypto)
    click.echo(f"re-encrypted {n} secret(s) with the first key")


@click.command("manifest")
def print_manifest() -> None:
    """Print the Slack app manifest with this PUBLIC_URL filled in."""
    click.echo(manifest.render(_rt().settings.PUBLIC_URL), nl=False)


@click.command("sweep")
def sweep() -> None:
    """Queue again every stored event that was never processed."""
    click.echo(f"re-queued {jobs.sweep()} event(s)")
