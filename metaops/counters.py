"""Operational counts for `GET /metrics`, kept in Redis so that every gunicorn process, RQ worker and host adds to
the same numbers (prometheus-client's own multiprocess mode covers one host only, and not RQ's work horses).

Counts go into one Redis hash (`KEY`; field `name` or `name|label=value,...`), a whole request's or event's counts
in one pipelined round trip; counting never raises (Redis down: the counts of that moment are lost, the request
goes on). `collector()` reads them back at scrape time as Prometheus metric families.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis
from redis.client import Pipeline

from metaops import defaults
from metaops.queue import streams

log = logging.getLogger(__name__)
KEY = "metaops:metrics"
LATENCY = "webhook_to_slack_seconds"
FIRST_RESPONSE, RESOLVE = "first_response_seconds", "time_to_resolve_seconds"
# name -> (help, bucket bounds in seconds); exposed as metaops_<name>
HISTOGRAMS: dict[str, tuple[str, tuple[float, ...]]] = {
    LATENCY: ("From the webhook storing an event to its item's Slack post", defaults.METRICS_LATENCY_BUCKETS),
    FIRST_RESPONSE: ("From a conversation opening to the team's first reply sent", defaults.METRICS_RESPONSE_BUCKETS),
    RESOLVE: ("From a conversation opening to its being resolved", defaults.METRICS_RESOLVE_BUCKETS),
}

# name -> (help, label names); exposed as metaops_<name>_total
COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "webhooks_received": ("Webhook POSTs received from Meta", ()),
    "webhooks_stored": ("Webhook events stored (answered 200)", ()),
    "webhooks_rejected": ("Webhook POSTs refused, by reason: signature, size, json, body (cut short or a bad "
                          "length), storage", ("reason",)),
    "items_delivered": ("Webhook items posted to Slack, by kind", ("kind",)),
    "items_failed": ("Webhook items whose delivery failed (retried with the event), by kind", ("kind",)),
    "items_stale": ("Webhook items refused as older than what retention forgot (a replay or a late requeue), by "
                    "kind", ("kind",)),
    "items_unrouted": ("Webhook items for assets no workspace connected", ()),
    "slack_rate_limited": ("Slack 429 answers to posts of webhook items", ()),
    "messages_billable": ("WhatsApp messages Meta bills (a status with pricing type regular), by pricing category",
                          ("category",)),
    "graph_errors": ("Graph API error answers and failed calls, by Meta's error code (http_N: no code; network: "
                     "no answer)", ("code",)),
}


class Tally:
    """Counts of one request, one event or the events of one conversation a drain handled, written together."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.sums: dict[str, float] = {}  # histogram name -> seconds observed

    def clear(self) -> None:
        self.counts.clear()
        self.sums.clear()

    def add(self, name: str, amount: int = 1, **labels: Any) -> None:
        self.counts[_field(name, labels)] += amount

    def observe(self, seconds: float, name: str = LATENCY) -> None:
        """One duration into a histogram of HISTOGRAMS (by default the webhook-to-Slack latency)."""
        seconds = max(0.0, seconds)
        bucket = next((b for b in HISTOGRAMS[name][1] if seconds <= b), "+Inf")
        self.counts[_field(name, {"le": bucket})] += 1
        self.counts[f"{name}_count"] += 1
        self.sums[name] = self.sums.get(name, 0.0) + seconds


def flush(r: Redis, tally: Tally) -> None:
    """Write a tally in one round trip; never raises."""
    if not tally.counts:
        return
    try:
        pipe = r.pipeline(transaction=False)
        add_to(pipe, tally)
        pipe.execute()
    except Exception as e:  # noqa: BLE001 - counts are worth less than the request that makes them
        log.debug("metrics not counted: %s", type(e).__name__)


def add_to(pipe: Pipeline, tally: Tally) -> None:
    """A tally's writes added to a pipeline that its caller sends (with commands of its own, in one round trip)."""
    for field, amount in tally.counts.items():
        pipe.hincrby(KEY, field, amount)
    for name, seconds in tally.sums.items():
        if seconds:
            pipe.hincrbyfloat(KEY, f"{name}_sum", seconds)


def incr(r: Redis, name: str, amount: int = 1, **labels: Any) -> None:
    tally = Tally()
    tally.add(name, amount, **labels)
    flush(r, tally)


def observe(r: Redis, name: str, seconds: float) -> None:
    tally = Tally()
    tally.observe(seconds, name)
    flush(r, tally)


def graph_error_code(error: Exception) -> str:
    """The label of a Graph error: Meta's code, else the HTTP status, else `network`."""
    code, status = getattr(error, "code", None), getattr(error, "status", 0)
    return str(code) if code is not None else f"http_{status}" if status else "network"


def _field(name: str, labels: dict[str, Any]) -> str:
    if not labels:
        return name
    return name + "|" + ",".join(f"{k}={_clean(v)}" for k, v in sorted(labels.items()))


def _clean(value: Any) -> str:
    return str(value).replace("|", "_").replace(",", "_").replace("=", "_")[:64]


class RedisCollector(Collector):
    """The counts in Redis and the inbox's depth per partition, as Prometheus metric families."""

    def __init__(self, r: Redis) -> None:
        self.r = r

    def collect(self) -> Iterator[Metric]:
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(KEY)
        for p in range(defaults.PARTITIONS):
            pipe.xlen(streams.stream_key(p))
        raw, *depths = pipe.execute()
        values = {k.decode(): v.decode() for k, v in raw.items()}
        for name, (help_text, label_names) in COUNTERS.items():
            family = CounterMetricFamily(f"metaops_{name}", help_text, labels=label_names)
            if not label_names:
                family.add_metric([], float(values.get(name, 0)))
            for field, value in sorted(values.items()):
                base, _, labels = field.partition("|")
                if base == name and labels:
                    pairs = dict(pair.split("=", 1) for pair in labels.split(","))
                    family.add_metric([pairs.get(n, "") for n in label_names], float(value))
            yield family
        depth = GaugeMetricFamily("metaops_queue_depth", "Events waiting or being drained, per inbox partition",
                                  labels=["partition"])
        for p, n in enumerate(depths):
            depth.add_metric([str(p)], float(n))
        yield depth
        for name, (help_text, bounds) in HISTOGRAMS.items():
            yield _histogram(name, help_text, bounds, values)


def _histogram(name: str, help_text: str, bounds: tuple[float, ...], values: dict[str, str]) -> Metric:
    buckets, cumulative = [], 0.0
    for bound in (*bounds, "+Inf"):
        cumulative += float(values.get(_field(name, {"le": bound}), 0))
        buckets.append((str(float(bound)) if isinstance(bound, int | float) else "+Inf", cumulative))
    return HistogramMetricFamily(f"metaops_{name}", help_text, buckets=buckets,
                                 sum_value=float(values.get(f"{name}_sum", 0)))
