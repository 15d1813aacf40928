"""What Meta charges per message (issue 21, part C): a WhatsApp status's `pricing` (per-message pricing: model PMP,
type, category) is kept on the reply's outbound record, whatever order the statuses come in; migration 0017 adds
the columns to an existing install in place."""

from __future__ import annotations

from sqlalchemy import create_engine, select, text

from store import migrate
from store.models import OutboundMessage
from tests.helpers import customer_thread, fixture, post_webhook, run_worker, slack_event


def _replied(client, rt, fake_slack, fake_graph) -> str:
    thread = customer_thread(client, rt, fake_slack, fake_graph)
    slack_event(client, {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": "On its way",
                         "ts": "1700000100.000200", "thread_ts": thread, "team": "T1"})
    run_worker(rt)
    with rt.db.session() as s:
        return s.scalars(select(OutboundMessage.id)).one()


def _priced(rt, message_id: str) -> tuple:
    with rt.db.session() as s:
        out = s.get_one(OutboundMessage, message_id)
        return out.status, out.pricing_model, out.pricing_type, out.pricing_category


def test_a_statuss_pricing_is_kept_with_the_reply(client, rt, fake_slack, fake_graph):
    message_id = _replied(client, rt, fake_slack, fake_graph)
    assert _priced(rt, message_id) == ("accepted", None, None, None)
    post_webhook(client, fixture("whatsapp/status_delivered_priced.json", id=message_id))
    run_worker(rt)
    assert _priced(rt, message_id) == ("delivered", "PMP", "regular", "marketing_lite")


def test_pricing_from_a_late_status_is_kept_and_the_state_never_goes_back(client, rt, fake_slack, fake_graph):
    message_id = _replied(client, rt, fake_slack, fake_graph)
    post_webhook(client, fixture("whatsapp/status_read.json", id=message_id))
    run_worker(rt)
    post_webhook(client, fixture("whatsapp/status_delivered_priced.json", id=message_id, status="sent", pricing={
        "type": "free_customer_service", "category": "service"}))
    run_worker(rt)
    assert _priced(rt, message_id) == ("read", "PMP", "free_customer_service", "service")


def test_a_status_without_pricing_leaves_what_an_earlier_one_said(client, rt, fake_slack, fake_graph):
    message_id = _replied(client, rt, fake_slack, fake_graph)
    post_webhook(client, fixture("whatsapp/status_delivered_priced.json", id=message_id, pricing={
        "type": "free_entry_point", "category": "authentication_international"}))
    run_worker(rt)
    post_webhook(client, fixture("whatsapp/status_read.json", id=message_id))
    run_worker(rt)
    assert _priced(rt, message_id) == ("read", "PMP", "free_entry_point", "authentication_international")


def test_migration_0017_adds_pricing_to_an_existing_install_in_place(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0017-1")  # the revision before 0017, whichever it is
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO outbound_messages (id, team_id, platform, channel_id, thread_ts, slack_ts, "
                          "status, created_at) VALUES ('wamid.old', 'T1', 'whatsapp', 'C1', '1.0', '2.0', 'read', "
                          "'2026-12-01 00:00:00')"))
    migrate.upgrade(url)
    with engine.connect() as conn:
        row = conn.execute(select(OutboundMessage.__table__)).one()
    engine.dispose()
    assert (row.id, row.status, row.pricing_model, row.pricing_type, row.pricing_category) == \
        ("wamid.old", "read", None, None, None)
