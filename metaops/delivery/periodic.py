"""The periodic jobs' work: the sweep, the daily token check and the daily Graph API version check. When they
run is metaops.clock's SCHEDULE."""

from __future__ import annotations

import logging
from datetime import timedelta

from metaops import defaults
from metaops.assets import connections, graph_version
from metaops.delivery import holds, recovery
from metaops.queue import enqueue, streams
from metaops.runtime import current
from store import events

log = logging.getLogger(__name__)


def sweep() -> int:
    """Queue again the events that were stored but never processed (Redis was down, a worker died): not those
    waiting on a channel's list or in a job of their own. Then recover partitions and channels nobody works on."""
    rt = current()
    older_than = rt.now() - timedelta(seconds=defaults.SWEEP_GRACE)
    found = events.stranded(rt.db.engine, older_than, defaults.SWEEP_BATCH)
    parked = holds.parked_among(rt.redis, found)
    ids = [i for i in found if i not in parked and not enqueue.is_pending(rt.queue, i)]
    if ids:
        log.info("re-queueing %d stranded event(s)", len(ids))
        streams.push_stored(rt.queue, rt.db.engine, ids)
    recovery.recover(rt.queue)
    return len(ids)


def check_tokens() -> int:
    """Daily: every connection's token checked, refreshed or alerted about (metaops.assets.connections)."""
    rt = current()
    return connections.check_tokens(rt)


def check_graph_version() -> int:
    """Daily: the operator warned when Meta stops serving META_GRAPH_VERSION soon (metaops.assets.graph_version)."""
    return graph_version.check(current())
