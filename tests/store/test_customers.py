"""WhatsApp customers found by BSUID or phone; threads of existing installs re-keyed in place by migration 0006."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from store import customers, migrate
from store.customers import Seen
from tests.constants import TEST_PG_URL
from tests.databases import temporary_postgres

# Both databases: customers found by BSUID or phone under unique constraints and conditional UPDATEs, and migration 0006
# re-keying threads in SQL.
pytestmark = pytest.mark.both_databases

PN = "106540352242922"
BSUID, NEW_BSUID = "US.13491208655302741918", "US.24817305912873645029"


def test_phone_and_bsuid_then_bsuid_only_is_one_customer(engine):
    first = customers.resolve(engine, PN, Seen(bsuid=BSUID, phone="16505551234", profile_name="Sheena"))
    later = customers.resolve(engine, PN, Seen(bsuid=BSUID, username="@sheena"))
    assert later.id == first.id
    assert (later.phone, later.username, later.profile_name) == ("16505551234", "sheena", "Sheena")


def test_two_username_customers_are_two(engine):
    a = customers.resolve(engine, PN, Seen(bsuid=BSUID, username="a"))
    b = customers.resolve(engine, PN, Seen(bsuid=NEW_BSUID, username="b"))
    assert a.id != b.id
    assert a.thread_key != b.thread_key


def test_the_same_bsuid_on_another_number_is_another_customer(engine):
    assert customers.resolve(engine, PN, Seen(bsuid=BSUID)).id != customers.resolve(engine, "PN2", Seen(bsuid=BSUID)).id


def test_a_phone_shared_later_is_added(engine):
    c = customers.resolve(engine, PN, Seen(bsuid=BSUID))
    assert c.phone is None
    assert customers.resolve(engine, PN, Seen(bsuid=BSUID, phone="+16505551234")).phone == "16505551234"
    assert customers.resolve(engine, PN, Seen(phone="16505551234")).id == c.id


def test_a_phone_known_customer_gains_its_bsuid(engine):
    legacy = customers.resolve(engine, PN, Seen(phone="16505551234"))
    assert customers.resolve(engine, PN, Seen(bsuid=BSUID, phone="16505551234")).id == legacy.id
    assert customers.resolve(engine, PN, Seen(bsuid=BSUID)).id == legacy.id


def test_the_bsuid_wins_when_a_phone_sits_on_another_row(engine):
    by_bsuid = customers.resolve(engine, PN, Seen(bsuid=BSUID))
    by_phone = customers.resolve(engine, PN, Seen(phone="16505551234"))
    both = customers.resolve(engine, PN, Seen(bsuid=BSUID, phone="16505551234"))
    assert both.id == by_bsuid.id
    assert customers.get(engine, by_phone.id).phone is None


def test_changed_bsuid_keeps_the_customer(engine):
    c = customers.resolve(engine, PN, Seen(bsuid=BSUID, username="sheena"))
    moved = customers.change_bsuid(engine, PN, BSUID, None, NEW_BSUID)
    assert moved.id == c.id
    assert customers.resolve(engine, PN, Seen(bsuid=NEW_BSUID)).id == c.id


def test_changed_bsuid_after_the_new_one_already_wrote(engine):
    c = customers.resolve(engine, PN, Seen(bsuid=BSUID))
    early = customers.resolve(engine, PN, Seen(bsuid=NEW_BSUID))
    assert customers.change_bsuid(engine, PN, BSUID, None, NEW_BSUID).id == c.id
    assert customers.resolve(engine, PN, Seen(bsuid=NEW_BSUID)).id == c.id
    assert customers.get(engine, early.id).bsuid is None


def test_marketing_opt_out_and_back(engine):
    c = customers.set_marketing_opt_out(engine, PN, Seen(bsuid=BSUID), True)
    assert c.marketing_opt_out
    assert not customers.set_marketing_opt_out(engine, PN, Seen(bsuid=BSUID), False).marketing_opt_out


def test_a_customer_needs_an_identifier(engine):
    with pytest.raises(ValueError):
        customers.resolve(engine, PN, Seen(username="nobody"))


def test_thread_keys(engine):
    c = customers.resolve(engine, PN, Seen(bsuid=BSUID))
    assert customers.from_thread_key(engine, c.thread_key) == c
    assert customers.from_thread_key(engine, "group:123") is None
    assert customers.from_thread_key(engine, "16505551234") is None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_at_0005(request, tmp_path):
    """A database migrated up to 0005 only: an install from before customers existed."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / f'old-{uuid.uuid4().hex[:6]}.db'}"
        migrate.upgrade(url, "0005")
        yield url
        return
    url, drop = temporary_postgres(TEST_PG_URL, "metaops_mig", revision="0005")
    yield url
    drop()


def test_phone_keyed_threads_survive_the_migration(database_at_0005):
    engine = create_engine(database_at_0005)
    with engine.begin() as conn:
        for business, contact, channel, ts, platform in [
            (PN, "16505551234", "C1", "1.1", "whatsapp"), (PN, "16505551234", "C2", "2.2", "whatsapp"),
            (PN, "447700900123", "C1", "3.3", "whatsapp"), ("PAGE1", "PSID9", "C1", "4.4", "messenger"),
        ]:
            conn.execute(text(
                "INSERT INTO contact_threads (team_id, business_id, contact, platform, channel_id, root_ts, "
                "created_at) VALUES ('T1', :b, :c, :p, :ch, :ts, CURRENT_TIMESTAMP)"),
                {"b": business, "c": contact, "p": platform, "ch": channel, "ts": ts})
    migrate.upgrade(database_at_0005)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT contact, channel_id, root_ts FROM contact_threads ORDER BY root_ts")).all()
    engine.dispose()
    engine = create_engine(database_at_0005)
    first = customers.resolve(engine, PN, Seen(bsuid=BSUID, phone="16505551234"))  # their next message
    other = customers.resolve(engine, PN, Seen(phone="447700900123"))
    engine.dispose()
    assert [r.contact for r in rows] == [first.thread_key, first.thread_key, other.thread_key, "PSID9"]
    assert [r.root_ts for r in rows] == ["1.1", "2.2", "3.3", "4.4"]
    assert first.bsuid == BSUID and first.phone == "16505551234"
