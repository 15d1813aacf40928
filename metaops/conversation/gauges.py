"""Gauges of the conversations for `GET /metrics`, read from the database at scrape time: how many are open (open
or waiting on the customer), how many of those someone claimed, how many are snoozed."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from store import conversations

GAUGES = {  # name -> help; exposed as metaops_conversations_<name>
    "open": "Customer conversations open now (open or waiting on the customer), every workspace",
    "claimed": "Open customer conversations someone claimed",
    "snoozed": "Customer conversations snoozed now",
}


class ConversationGauges(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        counts = conversations.counts(self.engine)
        for name, help_text in GAUGES.items():
            yield GaugeMetricFamily(f"metaops_conversations_{name}", help_text, value=float(counts[name]))
