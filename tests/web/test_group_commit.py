"""Group commit of webhook bodies (metaops/web/ingest.py): concurrent requests of one process are stored in one
multi-row INSERT and queued in one Redis pipeline; a failed batch answers each of its requests 503."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from metaops import defaults
from metaops.queue import streams
from metaops.web import ingest
from tests.helpers import post_webhook, wa_message, wa_payload

# Both databases: concurrent requests stored in one multi-row INSERT ... RETURNING, and a database failure mid-batch.
pytestmark = pytest.mark.both_databases

POISON = "poison-row"  # a body holding this is refused by the trigger of `failing_inserts`


def _bodies(n: int, tag: str = "m") -> list[bytes]:
    return [json.dumps(wa_payload([wa_message(f"wamid.{tag}{i}", f"1555{i % 37:07d}", f"text {i}")])).encode()
            for i in range(n)]


def _stored(rt) -> list[tuple[int, bytes]]:  # noqa: ANN001
    with rt.db.engine.connect() as conn:
        return [(r[0], bytes(r[1])) for r in conn.execute(text("SELECT id, body FROM webhook_events ORDER BY id"))]


def _queued(rt, redis=None) -> dict[int, int]:  # noqa: ANN001
    """Event id -> the partition stream it was appended to; an id queued twice fails the test."""
    found: dict[int, int] = {}
    for p in range(defaults.PARTITIONS):
        for _entry_id, fields in (redis or rt.redis).xrange(streams.stream_key(p)):
            event_id = int(fields[b"id"])
            assert event_id not in found, f"event {event_id} queued twice"
            found[event_id] = p
    return found


def _assert_each_stored_and_queued_once(rt, bodies: list[bytes]) -> None:  # noqa: ANN001
    stored = _stored(rt)
    assert sorted(b for _, b in stored) == sorted(bodies)  # each body exactly once
    queued = _queued(rt)
    assert queued == {event_id: streams.partition_of(body) for event_id, body in stored}  # each id in its partition


class failing_inserts:  # noqa: N801 - used as a context manager
    """A real database failure: a trigger that aborts any INSERT of a body holding POISON (so the whole
    multi-row statement fails)."""

    def __init__(self, rt) -> None:  # noqa: ANN001
        self.engine = rt.db.engine
        self.postgres = self.engine.dialect.name == "postgresql"

    def __enter__(self) -> None:
        with self.engine.begin() as conn:
            if self.postgres:
                conn.execute(text(
                    "CREATE FUNCTION poison_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF position('{POISON}'::bytea in NEW.body) > 0 THEN RAISE EXCEPTION 'poisoned'; END IF; "
                    "RETURN NEW; END $$"))
                conn.execute(text("CREATE TRIGGER poison BEFORE INSERT ON webhook_events FOR EACH ROW "
                                  "EXECUTE FUNCTION poison_check()"))
            else:
                conn.execute(text(
                    "CREATE TRIGGER poison BEFORE INSERT ON webhook_events "
                    f"WHEN instr(CAST(NEW.body AS TEXT), '{POISON}') > 0 BEGIN SELECT RAISE(ABORT, 'poisoned'); END"))

    def __exit__(self, *_: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER poison ON webhook_events" if self.postgres else "DROP TRIGGER poison"))
            if self.postgres:
                conn.execute(text("DROP FUNCTION poison_check()"))


def test_200_concurrent_webhooks_are_each_stored_and_queued_once(app, rt):
    bodies = _bodies(200)

    def post(body: bytes) -> int:
        return post_webhook(app.test_client(), body).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(post, bodies))
    assert statuses == [200] * 200
    _assert_each_stored_and_queued_once(rt, bodies)


def test_200_threads_into_one_collector_share_batches(rt):
    # Every thread announces itself before any hands its body over, so the leader waits for the others and the
    # bodies go in batches of max_rows (50 here): four multi-row INSERTs.
    collector = ingest.Collector(rt, max_rows=50, max_wait=3600)
    bodies = _bodies(200)
    ids: dict[bytes, int] = {}
    announced = threading.Barrier(len(bodies))

    def send(body: bytes) -> None:
        with collector.arriving() as arrival:
            announced.wait()
            ids[body] = arrival.submit(body, streams.partition_of(body))

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(ids) == 200 and len(set(ids.values())) == 200
    _assert_each_stored_and_queued_once(rt, bodies)
    assert dict((b, i) for i, b in _stored(rt)) == ids  # each request got its own row's id


def test_a_database_failure_mid_batch_answers_every_request_503_and_retries_store_each_once(rt):
    collector = ingest.Collector(rt, max_rows=100, max_wait=3600)
    bodies = _bodies(20)
    bodies[9] = bodies[9].replace(b"text 9", POISON.encode())  # one bad row in the middle of the batch
    outcome: dict[bytes, object] = {}
    announced = threading.Barrier(len(bodies))

    def send(body: bytes) -> None:
        with collector.arriving() as arrival:
            announced.wait()
            try:
                outcome[body] = arrival.submit(body, streams.partition_of(body))
            except ingest.StoreFailed as e:
                outcome[body] = e

    def round_of(batch: list[bytes]) -> None:
        threads = [threading.Thread(target=send, args=(b,)) for b in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    with failing_inserts(rt):
        round_of(bodies)  # one batch of 20: the trigger fails the statement on its 10th row
        assert all(isinstance(outcome[b], ingest.StoreFailed) for b in bodies)
        assert _stored(rt) == [] and _queued(rt) == {}
    announced = threading.Barrier(len(bodies))
    round_of(bodies)  # Meta retries each
    assert all(isinstance(outcome[b], int) for b in bodies)
    _assert_each_stored_and_queued_once(rt, bodies)


def test_concurrent_webhooks_in_a_failing_batch_get_503_and_meta_retries_store_each_once(app, rt):
    bodies = _bodies(60, tag="h")
    bodies[30] = bodies[30].replace(b"text 30", POISON.encode())

    def post(body: bytes) -> int:
        return post_webhook(app.test_client(), body).status_code

    with failing_inserts(rt), ThreadPoolExecutor(max_workers=16) as pool:
        first = dict(zip(bodies, pool.map(post, bodies), strict=True))
    assert set(first.values()) <= {200, 503} and first[bodies[30]] == 503
    ok = sorted(b for b, status in first.items() if status == 200)
    assert sorted(b for _, b in _stored(rt)) == ok  # a 503 body is not stored, a 200 one is
    assert len(_queued(rt)) == len(ok)
    retried = [b for b, status in first.items() if status == 503]
    with ThreadPoolExecutor(max_workers=16) as pool:
        assert list(pool.map(post, retried)) == [200] * len(retried)
    _assert_each_stored_and_queued_once(rt, bodies)
    counts = rt.redis.hgetall("metaops:metrics")
    assert int(counts[b"webhooks_stored"]) == 60
    assert int(counts[b"webhooks_rejected|reason=storage"]) == len(retried)
    assert int(counts[b"webhooks_received"]) == 60 + len(retried)


def test_a_lone_request_does_not_wait_for_the_batch_to_fill(rt):
    # The sync worker, or one request at a time: nobody else is on the way, so the bounded wait (an hour here)
    # is never spent.
    collector = ingest.Collector(rt, max_rows=64, max_wait=3600)
    body = _bodies(1)[0]
    with collector.arriving() as arrival:
        event_id = arrival.submit(body, streams.partition_of(body))
    assert _stored(rt) == [(event_id, body)]
    assert _queued(rt) == {event_id: streams.partition_of(body)}


def test_a_refused_request_stops_holding_up_the_batch(rt):
    collector = ingest.Collector(rt, max_rows=64, max_wait=3600)
    body = _bodies(1)[0]
    done = threading.Event()

    def send() -> None:
        with collector.arriving() as arrival:
            arrival.submit(body, streams.partition_of(body))
        done.set()

    with collector.arriving():  # a request on its way that is then refused (bad signature): never submits
        leader = threading.Thread(target=send)
        leader.start()
    leader.join(60)
    assert done.is_set() and len(_stored(rt)) == 1


@pytest.mark.parametrize("bad", [b"[]", b"not json"])
def test_refused_bodies_never_reach_the_collector(client, rt, bad):
    assert post_webhook(client, bad).status_code == 400
    assert _stored(rt) == []
    counts = rt.redis.hgetall("metaops:metrics")
    assert counts[b"webhooks_rejected|reason=json"] == b"1" and b"webhooks_stored" not in counts


def test_redis_down_still_answers_200_for_a_stored_batch(rt, redis_conn):
    collector = ingest.Collector(rt, max_rows=64, max_wait=0.002)
    rt.queue.connection.connection_pool.disconnect()
    port = rt.queue.connection.connection_pool.connection_kwargs.get("port")
    rt.queue.connection.connection_pool.connection_kwargs["port"] = 1  # nothing listens there
    try:
        body = _bodies(1)[0]
        with collector.arriving() as arrival:
            event_id = arrival.submit(body, streams.partition_of(body))
    finally:
        rt.queue.connection.connection_pool.connection_kwargs["port"] = port
        rt.queue.connection.connection_pool.disconnect()
    assert _stored(rt) == [(event_id, body)]
    assert _queued(rt, redis_conn) == {}  # the sweep queues it later
