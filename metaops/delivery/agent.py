"""Conversations Meta's AI agent (Meta Business Agent) holds, mirrored into the customer's thread: the customer's
messages and the agent's replies arrive on `standby` (each marked as held by the agent, the agent's replies as the
agent's own, never the customer's), and every change of holder on `messaging_handovers`. The thread's root shows
who holds the conversation, with Take over or Give back (metaops.conversation.takeover)."""

from __future__ import annotations

from integrations.meta import handover
from integrations.meta.payload import Item, Person
from integrations.slack.blocks import context_block, section
from metaops import messages
from metaops.conversation import holder, messaging_window, reply_window, senders
from metaops.conversation.naming import Post
from metaops.conversation.router import Router
from metaops.conversation.thread import known, post_in_thread, thread_key
from metaops.delivery import render
from metaops.runtime import Runtime

WA = "whatsapp_business_account"


def _where(router: Router, team_id: str, item: Item) -> tuple[str, str, str | None, str]:
    """The item's channel, business (number, Page or account), customer thread key and platform."""
    if item.object == WA:
        contact = thread_key(router, item)
        return router.thread_channel(team_id, "messages", item.business_id, contact), item.business_id, contact, \
            "whatsapp"
    m = item.data
    customer = (m.get("recipient") if item.kind == "agent_echo" else m.get("sender")) or {}
    kind, platform = ("facebook", "messenger") if item.object == "page" else ("instagram", "instagram")
    return router.channel(team_id, kind), item.asset_id, str(customer.get("id") or "") or None, platform


def inbound(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """The customer wrote while the agent holds the conversation: shown in their thread as any message of theirs,
    marked as held by the agent; their reply window restarts."""
    channel, business, contact, platform = _where(router, team_id, item)
    if item.object == WA:
        text, blocks = render.whatsapp_message(item, known(router, item))
        reply_window.customer_wrote(rt, router, contact, item.data)
    else:
        who = render.escape(senders.sender_name(rt, platform, business, contact or ""))
        post = render.facebook_dm if item.object == "page" else render.instagram_dm
        text, blocks = post(router.asset_name(business), who, item.data)
        if contact:
            messaging_window.customer_wrote(rt, business, contact)
    _post(rt, router, team_id, item, (text, [*blocks, context_block(messages.AGENT_HELD)]), handover.AGENT)


def echo(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """The agent answered the customer: shown in the thread as the agent's reply."""
    body = render.describe(item.data) if item.object == WA else render.dm_body(item.data.get("message") or {})
    _post(rt, router, team_id, item, _simple(messages.AGENT_ECHO.format(body=body)), handover.AGENT)


def changed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """`messaging_handovers`: who holds the conversation changed; said in the thread, shown at its root. A request
    for the thread or a role change needs no post."""
    if item.object == WA:
        number, bsuid, phone, now = handover.whatsapp_change(item.data)
        business = number or item.business_id
        found = router.customer(business, Person(bsuid=bsuid, phone=phone)) if bsuid or phone else None
        contact = found.thread_key if found else None
        channel = router.thread_channel(team_id, "messages", business, contact)
    else:
        now = handover.messenger_change(item.data, rt.settings.META_APP_ID or "")
        channel, business, contact, _ = _where(router, team_id, item)
    if now is None or contact is None:
        return
    said = messages.AGENT_PASSED if now == handover.TEAM else messages.AGENT_TOOK
    _post(rt, router, team_id, item, _simple(said), now, (channel, business, contact))


def _simple(text: str) -> Post:
    return text, [section(text)]


def _post(rt: Runtime, router: Router, team_id: str, item: Item, post: Post, now: str,
          where: tuple[str, str, str] | None = None) -> None:
    """Post in the customer's thread (opened with a root naming the customer when needed); when the holder
    changed, the root says who holds the conversation now."""
    if where is None:
        channel, business, contact, platform = _where(router, team_id, item)
    else:
        (channel, business, contact), platform = where, "whatsapp" if item.object == WA else (
            "messenger" if item.object == "page" else "instagram")
    opening = render.customer_post(known(router, item), post[0]) if item.object == WA and \
        item.kind == "agent_echo" else None
    post_in_thread(rt, router, team_id, channel, business, contact, *post, platform=platform, opening=opening)
    if contact is None:
        return
    state = holder.Holder(now)
    current = holder.current(rt, business, contact)
    if current is not None and current.who == now:
        return
    holder.note(rt, business, contact, state)
    root = router.root(business, contact, channel)
    if root:
        holder.show(rt, team_id, channel, root, state)


HANDLERS = {
    **{(obj, kind): handler for obj in (WA, "page", "instagram")
       for kind, handler in (("agent_inbound", inbound), ("agent_echo", echo), ("messaging_handovers", changed))},
    **{(obj, "agent_receipt"): None for obj in (WA, "page", "instagram")},
}
