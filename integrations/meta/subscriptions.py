"""Webhook subscriptions: the app's per object (`/{app-id}/subscriptions`, with the app token), and the
app installed on each WhatsApp Business Account and Page (`subscribed_apps`)."""

from __future__ import annotations

from collections.abc import Sequence

from integrations.meta.graph import GraphClient


def subscribe_app(graph: GraphClient, obj: str, fields: Sequence[str], callback_url: str, verify_token: str) -> None:
    """Meta sends `fields` of `obj` (whatsapp_business_account, page, instagram) to `callback_url`, after
    checking it answers `verify_token`."""
    graph.post(f"{graph.app_id}/subscriptions", graph.app_token, data={
        "object": obj, "callback_url": callback_url, "verify_token": verify_token, "fields": ",".join(fields),
        "include_values": "true"})


def unsubscribe_app(graph: GraphClient, obj: str) -> None:
    graph.delete(f"{graph.app_id}/subscriptions", graph.app_token, object=obj)


def subscribe_waba(graph: GraphClient, user_token: str, waba_id: str) -> None:
    graph.post(f"{waba_id}/subscribed_apps", user_token)


def subscribe_page(graph: GraphClient, page_token: str, page_id: str, fields: Sequence[str]) -> None:
    graph.post(f"{page_id}/subscribed_apps", page_token, data={"subscribed_fields": ",".join(fields)})
