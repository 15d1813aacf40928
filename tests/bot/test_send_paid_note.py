"""Issue 23, point 5: a template sent from a thread or `/meta send` says before it goes whether Meta bills it (and
about how much, from the rate card)."""

from __future__ import annotations

from metaops import messages
from tests.bot.test_send_template import (  # noqa: F401 - fixtures
    ORDER,
    PROMO,
    choose,
    connected,
    press_thread_button,
    thread,
    wait_for,
)
from tests.helpers import post_webhook, run_worker, slash_command, wa_message, wa_payload


def notes(view) -> list[str]:
    return [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]


def test_utility_in_the_window_is_free_marketing_is_paid(client, rt, thread, fake_slack, fake_graph):  # noqa: F811
    press_thread_button(client, fake_slack, "C_CONNECT", thread)
    view = wait_for(fake_slack.views)
    choose(client, view, ORDER["id"])
    assert messages.SEND_FREE_NOTE in notes(wait_for(fake_slack.updates)["view"])
    choose(client, view, PROMO["id"])  # +1 555…: a market the shipped rate card does not price
    assert messages.SEND_PAID_UNPRICED.format(category="MARKETING") in notes(wait_for(fake_slack.updates, 2)["view"])


def test_a_new_conversation_is_paid_with_the_rate_cards_price(client, rt, connected, fake_slack,  # noqa: F811
                                                               fake_graph):
    slash_command(client, "send +54 9 11 5555-0001", user="U_ADMIN", channel="C_CONNECT")
    view = wait_for(fake_slack.views)
    choose(client, view, ORDER["id"])  # utility, but no window open with a customer who never wrote
    assert messages.SEND_PAID_NOTE.format(category="UTILITY", price="USD 0.0289") in \
        notes(wait_for(fake_slack.updates)["view"])


def test_send_to_a_phone_that_wrote_within_24_hours_is_free_for_utility(client, rt, connected, fake_slack,  # noqa: F811
                                                                         fake_graph):
    """`/meta send +PHONE` names the customer by phone, not by thread: their window is found all the same."""
    post_webhook(client, wa_payload([wa_message("wamid.IN1", "5491155550001", "Is my order on its way?")]))
    run_worker(rt)
    slash_command(client, "send +54 9 11 5555-0001", user="U_ADMIN", channel="C_CONNECT")
    view = wait_for(fake_slack.views)
    choose(client, view, ORDER["id"])
    assert messages.SEND_FREE_NOTE in notes(wait_for(fake_slack.updates)["view"])
