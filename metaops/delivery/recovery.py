"""Taking over what a dead worker held: partitions whose drain died and channels whose release died (or whose
jobs were lost) get a new job. Run by the clock every RECOVERY_INTERVAL, by each worker as it starts, and by the
sweep; cheap (a few Redis reads) and safe to run anywhere at any time: a job queued twice finds the partition or
channel taken and returns."""

from __future__ import annotations

import logging

from rq import Queue

from metaops.delivery import holds
from metaops.queue import streams

log = logging.getLogger(__name__)


def recover(queue: Queue) -> int:
    """Jobs queued for partitions and channels nobody alive works on. Returns how many."""
    return streams.ensure_drain(queue) + holds.recover(queue.connection, queue)
