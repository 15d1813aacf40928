"""Taking over what a dead worker held: partitions whose drain died, channels whose release died and history
imports whose job died (or whose jobs were lost) get a new job. Run by the clock every RECOVERY_INTERVAL, by each
worker as it starts, and by the sweep; cheap (a few Redis reads) and safe to run anywhere at any time: a job queued
twice finds the partition, channel or number taken and returns."""

from __future__ import annotations

import logging

from rq import Queue

from metaops.delivery import holds
from metaops.queue import history, streams

log = logging.getLogger(__name__)


def recover(queue: Queue) -> int:
    """Jobs queued for partitions, channels and history imports nobody alive works on. Returns how many."""
    return streams.ensure_drain(queue) + holds.recover(queue.connection, queue) + history.recover(queue)
