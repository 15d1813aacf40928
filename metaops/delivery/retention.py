"""Retention: processed webhook events and per-message records older than RETENTION_DAYS are deleted
(daily, as `metaops.jobs.retention`). RETENTION_DAYS=0 keeps everything.

Failed events are kept twice as long (2 x RETENTION_DAYS), so there is time to fix the cause and requeue
them (`requeue_failed`); events still to process and dedupe claims in flight are never deleted. The thread
map, customers and connections are not per-message records and are kept.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from metaops import defaults
from metaops.runtime import Runtime
from store import retention

log = logging.getLogger(__name__)


def purge(rt: Runtime) -> dict[str, int]:
    """Delete what is past retention, in batches; returns the rows deleted per kind."""
    days = rt.settings.RETENTION_DAYS
    if days <= 0:
        return {}
    engine, batch, now = rt.db.engine, defaults.RETENTION_BATCH, rt.now()
    cutoff = now - timedelta(days=days)
    deleted = {
        "webhook_events": retention.delete_events(engine, "done", cutoff, batch),
        "failed_webhook_events": retention.delete_events(engine, "failed", now - timedelta(days=2 * days), batch),
        "dedupe_keys": retention.delete_dedupe_keys(engine, cutoff, batch),
        "outbound_messages": retention.delete_outbound(engine, cutoff, batch),
        "reply_outbox": retention.delete_outbox(engine, cutoff, batch),
        "message_posts": retention.delete_message_posts(engine, cutoff, batch),
    }
    if any(deleted.values()):
        log.info("retention (%d days): deleted %s", days,
                 ", ".join(f"{n} {kind}" for kind, n in deleted.items() if n))
    return deleted
