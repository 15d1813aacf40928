"""Fixtures shared by the scenario tests."""

from __future__ import annotations

import pytest

from store.models import NotificationRoute
from tests.helpers import connect_page, connect_whatsapp

ROUTES = {"messages": "C_MSG", "alerts": "C_ALERTS", "templates": "C_TPL", "facebook": "C_FB", "instagram": "C_IG"}


@pytest.fixture
def routed(rt, fake_graph):
    """A workspace with WhatsApp and a Page connected and each kind of notification routed to its own channel."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    with rt.db.session() as s:
        for kind, channel in ROUTES.items():
            s.add(NotificationRoute(team_id="T1", kind=kind, channel_id=channel))
    return rt
