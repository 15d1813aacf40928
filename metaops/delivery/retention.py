"""Retention: every record that grows with traffic is deleted once older than RETENTION_DAYS (daily, as
`metaops.jobs.retention`; the README's "What grows with traffic" lists them). RETENTION_DAYS=0 keeps everything.

Failed events are kept twice as long (2 x RETENTION_DAYS), so there is time to fix the cause and requeue
them (`requeue_failed`); events still to process and dedupe claims in flight are never deleted. Threads and
WhatsApp customers go once idle for the whole window (a customer who opted out of marketing stays); how far
dedupe keys were deleted is recorded, so an older item is refused as stale (stale.py) rather than posted again.
Workspaces, connections, assets, admins and templates are configuration and are kept.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from metaops import defaults
from metaops.conversation import unanswered
from metaops.delivery import holds, stale
from metaops.runtime import Runtime
from store import events, retention

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
        "contact_threads": retention.delete_idle_threads(engine, cutoff, batch),
    }
    deleted["wa_customers"] = retention.delete_idle_customers(engine, cutoff, batch)  # once their threads went
    if deleted["dedupe_keys"]:
        retention.mark(engine, stale.MARK, cutoff)
    deleted["unanswered"] = unanswered.forget_older(rt, cutoff)
    deleted["parked_ids"] = holds.drop_settled(rt.redis, lambda ids: events.unsettled(engine, ids))
    if any(deleted.values()):
        log.info("retention (%d days): deleted %s", days,
                 ", ".join(f"{n} {kind}" for kind, n in deleted.items() if n))
    return deleted
