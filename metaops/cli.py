"""Maintenance commands: `flask --app metaops.wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from redis.exceptions import RedisError

from metaops import jobs, manifest
from metaops.delivery import stale
from metaops.queue import pickled_jobs, streams
from metaops.runtime import Runtime
from store import events
from store.crypto import rotate_all


def register(app: Flask) -> None:
    app.cli.add_command(rotate_keys)
    app.cli.add_command(print_manifest)
    app.cli.add_command(sweep)
    app.cli.add_command(requeue_failed)
    app.cli.add_command(convert_jobs)


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


@click.command("requeue-failed")
def requeue_failed() -> None:
    """Give every failed event (its retries ran out) another round of tries."""
    rt = _rt()
    ids = events.requeue_failed(rt.db.engine)
    if ids:
        streams.push_stored(rt.queue, rt.db.engine, ids)
    click.echo(f"re-queued {len(ids)} failed event(s)")
    forgotten = stale.horizon(rt)
    if ids and forgotten is not None:
        click.echo(f"items dated before {forgotten.isoformat(timespec='seconds')} UTC are refused as stale: retention "
                   "forgot whether they were delivered")


@click.command("convert-jobs")
def convert_jobs() -> None:
    """Rewrite in JSON the jobs an earlier release queued pickled; a job naming a class is refused, never run."""
    try:
        counts = pickled_jobs.convert_all(_rt().redis)
    except RedisError as e:
        raise click.ClickException(f"Redis did not answer ({type(e).__name__}); run convert-jobs again") from None
    click.echo(f"converted {counts.converted} pickled job(s) to JSON; refused {counts.refused} (moved to RQ's "
               "failed registry, not run)")
