"""Bursts of customer texts ("c07 m3": customer 7's message 3) and reading them back from Slack's posts."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from tests.helpers.meta import post_webhook, wa_message, wa_payload

TEXT_WORD = re.compile(r"c(\d\d) m(\d+)")


def texts(message: dict[str, Any]) -> list[tuple[str, int]]:
    """The customer texts of a `burst` ("c07 m3") a Slack message shows, in order (from its blocks, else its text):
    one for a post of one message, several for a thread's waiting messages posted together."""
    blocks = message.get("blocks")
    shown = (json.loads(blocks) if isinstance(blocks, str) else blocks) or message["text"]
    return [(c, int(n)) for c, n in TEXT_WORD.findall(json.dumps(shown))]


def burst(client: Any, customers: int, each: int) -> None:
    """`each` WhatsApp texts from each of `customers` customers, posted round-robin ("c07 m3": customer 7's
    message 3, id wamid.7.3), each taken with 200."""
    for n in range(each):
        for c in range(customers):
            r = post_webhook(client, wa_payload([wa_message(f"wamid.{c}.{n}", f"1555000{c:04d}", f"c{c:02d} m{n}")]))
            assert r.status_code == 200


def by_customer(messages: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Message numbers per customer of a `burst`, in the order Slack received them."""
    seen: dict[str, list[int]] = defaultdict(list)
    for m in messages:
        customer, number = m["text"].rsplit(": ", 1)[-1].split()
        seen[customer].append(int(number.removeprefix("m")))
    return seen
