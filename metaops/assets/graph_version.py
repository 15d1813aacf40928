"""The daily check of the Graph API version in use (META_GRAPH_VERSION) against the day Meta stops serving it
(integrations/meta/versions.py). From GRAPH_VERSION_WARN_DAYS before that day the operator is warned: a log line
every day, and one note in the alerts channel of the workspace that runs the app's own settings (single-workspace
mode: that workspace; else OPERATOR_TEAM_ID), once per version and end date."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from integrations.meta import versions
from metaops import defaults, messages
from metaops.assets import subscriptions
from metaops.assets.connections import alert
from metaops.runtime import Runtime
from store.models import Workspace

log = logging.getLogger(__name__)
NOTED_KEY = "metaops:graph-version-noted:{version}:{end}"  # set once the alerts channel was told


def check(rt: Runtime) -> int:
    """Warn when the version in use ends within GRAPH_VERSION_WARN_DAYS (or has ended); returns the notes posted."""
    version = rt.settings.META_GRAPH_VERSION
    if not versions.known(version):
        log.warning("META_GRAPH_VERSION %s is not in integrations/meta/versions.py (checked %s): its end is not known",
                    version, versions.CHECKED)
        return 0
    end = versions.end_of(version)
    today = rt.now().date()
    if end is None or (end - today).days > defaults.GRAPH_VERSION_WARN_DAYS:
        return 0
    text = messages.GRAPH_VERSION_ENDING.format(version=version, end=f"{end:%Y-%m-%d}", when=_when(end, today),
                                                newest=newest(), source=versions.SOURCE)
    log.warning("Graph API %s ends on %s; set META_GRAPH_VERSION to a newer version (%s)", version, end, newest())
    ttl = max((end - today).days, 0) * 86400 + defaults.GRAPH_VERSION_NOTE_KEEP
    if not rt.redis.set(NOTED_KEY.format(version=version, end=end), 1, nx=True, ex=ttl):
        return 0
    teams = _operators(rt)
    try:
        for team_id in teams:
            alert(rt, team_id, text)
    except Exception:
        rt.redis.delete(NOTED_KEY.format(version=version, end=end))  # not told: tomorrow's check tries again
        raise
    return len(teams)


def newest() -> str:
    return max(versions.VERSIONS, key=lambda v: versions.VERSIONS[v][0])


def _when(end: date, today: date) -> str:
    days = (end - today).days
    return messages.GRAPH_VERSION_ENDED if days < 0 else messages.GRAPH_VERSION_DAYS_LEFT.format(days=days)


def _operators(rt: Runtime) -> list[str]:
    with rt.db.session() as s:
        teams = list(s.scalars(select(Workspace.team_id).order_by(Workspace.team_id)))
    return [t for t in teams if subscriptions.is_operator(rt, t)]
