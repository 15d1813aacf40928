"""Delivering webhook items to Slack: which handler, which channel, which thread, what post.

Every kind Meta sends has a handler here; a kind with none gets one short "unsupported event" note per
workspace (and is kept in webhook_events like everything else)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from integrations.meta.payload import MEDIA_TYPES, Item, Person, person
from integrations.slack.client import post_message
from metaops import defaults
from metaops.assets.comments import FACEBOOK, INSTAGRAM, comment_post, comment_text, root_post, sent_by_us
from metaops.away import sender as away
from metaops.campaigns import statuses as campaign_statuses
from metaops.campaigns import template_pause as campaign_templates
from metaops.conversation import (
    customer_posted,
    messaging_window,
    originals,
    receipts,
    reply_window,
    senders,
    unanswered,
)
from metaops.conversation.naming import customer_post, person_of
from metaops.conversation.router import Router
from metaops.conversation.thread import known, paced_post, post_in_thread, thread_key, thread_lock
from metaops.delivery import agent, calls, changes, groups, history, media, render, render_account, render_templates
from metaops.runtime import Runtime
from metaops.templates import catalog
from store import customers
from store.comment_threads import forget_comment, post_key, posted, remember_comment
from store.customers import Seen

log = logging.getLogger(__name__)
Deliver = Callable[[Runtime, Router, str, Item], None]


def whatsapp_message(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    changed = _identity_changed(rt, router, item) if (item.data.get("system") or {}).get("type") in ID_CHANGES \
        else None
    sender: Person
    contact: str | None
    if changed is not None:  # the notice names the customer's ids before the change: post it in their thread
        sender, contact = person_of(changed), changed.thread_key
    elif item.data.get("group_id"):
        sender, contact = person(item), thread_key(router, item)
    else:  # what we know of the customer too: the phone they shared before stays on their posts
        sender, contact = known(router, item), thread_key(router, item)
    text, blocks = render.whatsapp_message(item, sender)
    if router.campaigns(item.business_id).ever:  # a number that never sent a campaign has no campaign replies
        campaign_statuses.customer_replied(rt, item.business_id, item.data)
    opened = reply_window.customer_wrote(rt, router, contact, item.data)  # stored before the post: a retry repeats none
    _post_remembered(rt, router, team_id, "messages", item.business_id, contact, item.data.get("id"), text, blocks,
                     wrote=True, message_type=item.data.get("type"))
    if opened is not None and contact is not None:  # the root says until when replies are possible
        reply_window.show(rt, router, team_id, item.business_id, contact, opened)
    unanswered.customer_wrote(rt, router, team_id, "messages", item.business_id, contact)
    if opened is not None:  # a customer's own message: answered with the away message while the number is closed
        away.customer_wrote(rt, router, team_id, "messages", "whatsapp", item.business_id, contact)


def _post_remembered(rt: Runtime, router: Router, team_id: str, kind: str, business_id: str, contact: str | None,
                     message_id: object, text: str, blocks: list[dict], platform: str = "whatsapp", wrote: bool = False,
                     message_type: str | None = None) -> None:
    """A customer's message (or call) posted in its thread, and what the post stands for stored right after it
    (customer_posted.py; `wrote`: the customer wrote it, of WhatsApp type `message_type`)."""
    channel = router.thread_channel(team_id, kind, business_id, contact)
    ts = post_in_thread(rt, router, team_id, channel, business_id, contact, text, originals.tag(blocks, message_id),
                        platform=platform)
    root = router.root(business_id, contact, channel) if contact else None
    customer_posted.posted(rt, team_id, business_id, channel, root, ts, [message_id], message_type, wrote)


def customer_change(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """An edit, deletion or reaction: on the original's post when it is known, else said in the thread."""
    if changes.on_original(rt, item):
        return
    (whatsapp_message if item.object == WA else direct_message)(rt, router, team_id, item)


def whatsapp_call(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """A call's start is posted in the customer's thread; its end marks that post (else is posted itself)."""
    if changes.on_original(rt, item):
        return
    text, blocks = customer_post(known(router, item), calls.describe(item.data))
    call_id = item.data.get("id") if item.data.get("event") == "connect" else None
    _post_remembered(rt, router, team_id, "messages", item.business_id, thread_key(router, item), call_id, text,
                     blocks)


def call_status(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """The customer answered or declined the business's call (ringing is not posted)."""
    said = calls.status(item.data)
    if said is not None:
        text, blocks = customer_post(known(router, item), said)
        contact = thread_key(router, item)
        post_in_thread(rt, router, team_id, router.thread_channel(team_id, "messages", item.business_id, contact),
                       item.business_id, contact, text, blocks)


def group_event(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """A group's lifecycle, participants, settings or status: a sentence in the group's thread."""
    text, blocks = render.group_event(str(item.data.get("group_id") or "?"), groups.describe(item.data))
    post_in_thread(rt, router, team_id, router.channel(team_id, "messages"), item.business_id,
                   thread_key(router, item) if item.data.get("group_id") else None, text, blocks)


def whatsapp_media(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """The file of a media message, uploaded into the thread its message was posted in."""
    contact = thread_key(router, item)
    channel = router.thread_channel(team_id, "messages", item.business_id, contact)
    root = router.root(item.business_id, contact, channel) if contact else None
    media.upload_whatsapp_media(rt, team_id, channel, root, item.data)


def whatsapp_failed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    # The thread note first: it records itself as posted, so a retry after a failed alert never repeats it.
    if campaign_statuses.record(rt, item.data):  # a campaign's: counted in its progress and report, not alerted
        return
    receipts.failed_status(rt, item.data)  # a reply sent from a thread: say so in that thread too
    text, blocks = render.whatsapp_failed(item, known(router, item))
    paced_post(rt, router, team_id, router.channel(team_id, "alerts"), text, blocks)


def app_echo(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Sent from the WhatsApp Business app on the same number: shown in the customer's thread, so Slack
    stays the whole conversation."""
    text, blocks = render.app_echo(item)
    contact = thread_key(router, item)
    post_in_thread(rt, router, team_id, router.thread_channel(team_id, "messages", item.business_id, contact),
                   item.business_id, contact, text, blocks, opening=render.customer_post(known(router, item), text))
    unanswered.business_wrote(rt, router, team_id, "messages", item.business_id, contact)


def marketing_preference(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """A customer stopped or resumed marketing messages: flagged on the customer, one note in their thread."""
    stopped = item.data.get("value") == "stop"
    p = person(item)
    seen = Seen(bsuid=p.bsuid, phone=p.phone, parent_bsuid=p.parent_bsuid, username=p.username, profile_name=p.name)
    if seen.empty:
        return
    customer = customers.set_marketing_opt_out(rt.db.engine, item.business_id, seen, stopped)
    text, blocks = render.marketing_preference(known(router, item), stopped)
    post_in_thread(rt, router, team_id, router.thread_channel(team_id, "messages", item.business_id,
                                                              customer.thread_key),
                   item.business_id, customer.thread_key, text, blocks)


ID_CHANGES = ("user_changed_user_id", "user_changed_number")  # system messages: the customer's ids changed
# WhatsApp item kinds that post in (or mark a post of) a customer's or group's thread
THREAD_KINDS = ("message", "media", "app_echo", "edit", "revoke", "reaction", "call", "call_status", "group_event")


def thread_note(router: Router, item: Item) -> tuple[str | None, bool]:
    """Where an item posts, for a channel's parked list (holds.Parked): its customer thread ("" none, None not
    known here), and whether it is one plain customer message that may be posted with others of its thread
    (not media, whose file follows its own post; not an identity change)."""
    key = (item.object, item.kind)
    if handler_for(item) in (None, whatsapp_failed, template_update, account_update, number_error, page_feed,
                             instagram_change, unsupported, history.history_chunk, history.app_contacts):
        return "", False  # no thread post of a customer's (a failed status's note is ours, about our reply)
    if item.object == WA and item.kind in THREAD_KINDS:
        contact = thread_key(router, item)
        if contact is None:
            return "", False  # posted alone, in no thread
        joinable = key == (WA, "message") and item.data.get("type") not in MEDIA_TYPES and \
            (item.data.get("system") or {}).get("type") not in ID_CHANGES
        return f"{item.business_id} {contact}", joinable
    if item.object in (PAGE, IG) and handler_for(item) in (direct_message, customer_change):
        return f"{item.asset_id} {(item.contact or {}).get('id')}", False
    return None, False


def _identity_changed(rt: Runtime, router: Router, item: Item) -> customers.Identity | None:
    """`user_changed_user_id` / `user_changed_number`: the customer keeps its row and thread under the new ids
    (returned; None when Meta gave no new BSUID). The message's own sender fields name the customer before
    the change, so they must not be looked up again afterwards: they would make a new customer."""
    system = item.data["system"]
    new_bsuid = system.get("user_id")
    previous = system.get("previous_user_id") or item.data.get("from_user_id")
    if not new_bsuid:
        return None
    changed = customers.change_bsuid(rt.db.engine, item.business_id, previous, item.data.get("from"), new_bsuid,
                                     system.get("wa_id") or system.get("new_wa_id"), system.get("parent_user_id"))
    router.forget_customers()
    return changed


def template_update(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Status and content changes go to `templates`; category and quality changes to `alerts`. The stored
    template follows."""
    t = catalog.apply_update(rt, item.asset_id, item.data, item.kind)
    if t is not None and item.kind == "message_template_status_update":  # campaigns sending it pause or may resume
        campaign_templates.status_changed(rt, t, item.data)
    _post(rt, router, team_id, TEMPLATE_ROUTES[item.kind], render_templates.post(item.kind, item.data))


TEMPLATE_ROUTES = {  # template field -> the notification kind it goes to
    "message_template_status_update": "templates",
    "message_template_components_update": "templates",
    "template_category_update": "alerts",
    "message_template_quality_update": "alerts",
}
def account_update(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Every account field (render_account.FIELDS) to `alerts`: a short sentence of what happened."""
    _post(rt, router, team_id, "alerts", render_account.post(item.kind, item.data))


def number_error(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    _post(rt, router, team_id, "alerts", render.number_error(item))


def direct_message(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Messenger and Instagram Direct: one thread per sender per Page or account."""
    platform, kind, post = (("messenger", "facebook", render.facebook_dm) if item.object == "page" else
                            ("instagram", "instagram", render.instagram_dm))
    sender = str((item.contact or {}).get("id"))
    messaging_window.customer_wrote(rt, item.asset_id, sender)  # how a reply goes: RESPONSE, HUMAN_AGENT or not
    who = render.escape(senders.sender_name(rt, platform, item.asset_id, sender))
    text, blocks = post(router.asset_name(item.asset_id), who, item.data)
    mid = (item.data.get("message") or {}).get("mid") if item.kind == "dm" else None
    # a message (not a postback or a reaction): its mid takes the team's reactions, and it is the customer writing
    _post_remembered(rt, router, team_id, kind, item.asset_id, sender, mid, text, blocks, platform=platform,
                     wrote=item.kind == "dm")
    unanswered.customer_wrote(rt, router, team_id, kind, item.asset_id, sender)
    if item.kind != "dm_reaction":  # a message or a button pressed, not a reaction: the away message when closed
        away.customer_wrote(rt, router, team_id, kind, platform, item.asset_id, sender)


def page_feed(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """A comment goes to its post's thread; other Page feed changes (posts, photos, reactions) are posted alone."""
    v = item.data
    if v.get("item") == "comment" and v.get("post_id") and v.get("comment_id"):
        who = (v.get("from") or {}).get("name") or (v.get("from") or {}).get("id") or "someone"
        parent = str(v.get("parent_id") or "")
        target = parent if parent and parent != str(v["post_id"]) else str(v["comment_id"])  # replies nest once
        _comment_in_thread(rt, router, team_id, FACEBOOK, item.asset_id, str(v["post_id"]), str(v["comment_id"]),
                           target, str(who), str(v.get("message") or ""), str(v.get("verb") or "add"),
                           own=str((v.get("from") or {}).get("id")) == item.asset_id)
        return
    _post(rt, router, team_id, "facebook", render.facebook_feed(router.asset_name(item.asset_id), item.data))


def instagram_change(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """A comment goes to its post's thread; a mention is posted alone."""
    v = item.data
    media_id = (v.get("media") or {}).get("id") if isinstance(v.get("media"), dict) else None
    if item.kind in ("comments", "live_comments") and media_id and v.get("id"):
        sender = v.get("from") or {}
        who = f"@{sender['username']}" if sender.get("username") else str(sender.get("id") or "someone")
        _comment_in_thread(rt, router, team_id, INSTAGRAM, item.asset_id, str(media_id), str(v["id"]),
                           str(v.get("parent_id") or v["id"]), who, str(v.get("text") or ""), "add",
                           own=str(sender.get("id")) == item.asset_id)
        return
    account = router.asset_name(item.asset_id)
    post = render.instagram_mention(account, item.data) if item.kind == "mentions" else \
        render.instagram_comment(account, item.data)
    _post(rt, router, team_id, "instagram", post)


def _comment_in_thread(rt: Runtime, router: Router, team_id: str, platform: str, asset_id: str, post_id: str,
                       comment_id: str, target: str, who: str, body: str, verb: str, own: bool) -> None:
    """One thread per post (the post at its root); a new comment in it with Reply, Hide and Delete buttons, the
    row they name stored first. Our own public replies (Meta reports them too) are in the thread already;
    the account's other comments, edits and removals are noted without buttons."""
    if own and sent_by_us(rt, comment_id):
        return
    channel = router.channel(team_id, "facebook" if platform == FACEBOOK else "instagram")
    contact = post_key(post_id)
    if verb == "remove":  # also what Meta says after our own Delete: then the row is gone and nothing is said
        root = router.root(asset_id, contact, channel)
        if root and forget_comment(rt.db.engine, channel, asset_id, root, comment_id):
            post_in_thread(rt, router, team_id, channel, asset_id, contact,
                           *_simple_post(comment_text("remove", platform, who, body)), platform=platform)
        return
    if verb not in ("add", "edited") or (verb == "edited" and own):
        return  # hidden, unhidden (our own Hide among them), edits of our own: the thread has them
    root = _post_thread(rt, router, team_id, platform, asset_id, channel, contact, post_id)
    if verb == "edited":
        post_in_thread(rt, router, team_id, channel, asset_id, contact,
                       *_simple_post(comment_text("edited", platform, who, body)), platform=platform)
        return
    if own:
        post_in_thread(rt, router, team_id, channel, asset_id, contact,
                       *_simple_post(comment_text("own", platform, who, body)), platform=platform)
        return
    row = remember_comment(rt.db.engine, team_id, asset_id, platform, channel, root, comment_id, target)
    said = comment_text("add", platform, who, body)
    ts = post_in_thread(rt, router, team_id, channel, asset_id, contact, said, comment_post(said, row),
                        platform=platform)
    posted(rt.db.engine, row, ts)


def _simple_post(text: str) -> tuple[str, list[dict]]:
    return text, comment_post(text, None)


def _post_thread(rt: Runtime, router: Router, team_id: str, platform: str, asset_id: str, channel: str,
                 contact: str, post_id: str) -> str:
    """The post's thread root, posted (the post read from Meta first) when its first comment comes."""
    root = router.root(asset_id, contact, channel)
    if root:
        return root
    name = router.asset_name(asset_id)
    text, blocks = root_post(rt, team_id, platform, asset_id, name if platform == FACEBOOK else f"@{name}", post_id)
    with thread_lock(rt, asset_id, contact, channel):  # the same lock as post_in_thread's: one root per post
        root = router.root(asset_id, contact, channel, cached=False)
        if root is None:
            root = post_message(rt.slack.for_team(team_id), channel, text, blocks)
            router.remember_root(team_id, asset_id, contact, channel, root, platform)
        return root


def unsupported(rt: Runtime, router: Router, team_id: str, item: Item) -> None:
    """Once per kind and workspace (for a month); the event itself is kept whatever happens."""
    kind = f"{item.object}/{item.kind}"
    log.info("unsupported webhook kind %s for team %s", kind, team_id)
    if rt.redis.set(f"metaops:unsupported:{team_id}:{kind}", 1, nx=True, ex=defaults.UNSUPPORTED_NOTE_TTL):
        _post(rt, router, team_id, "alerts", render.unsupported(kind))


WA, PAGE, IG = "whatsapp_business_account", "page", "instagram"
# (payload object, item kind) -> its delivery; None: nothing to post (our own echoes, receipts).
HANDLERS: dict[tuple[str, str], Deliver | None] = {
    (WA, "message"): whatsapp_message,
    (WA, "media"): whatsapp_media,
    (WA, "status"): whatsapp_failed,  # other statuses only update what we stored: see handler_for
    (WA, "error"): number_error,
    (WA, "app_echo"): app_echo,
    (WA, "user_preference"): marketing_preference,
    (WA, "history"): history.history_chunk,  # stored, never posted: an admin imports it (history_import.py)
    (WA, "smb_app_state_sync"): history.app_contacts,
    **{(WA, kind): template_update for kind in TEMPLATE_ROUTES},
    **{(WA, kind): account_update for kind in render_account.FIELDS},
    **{(WA, kind): customer_change for kind in ("edit", "revoke", "reaction")},
    (WA, "call"): whatsapp_call,
    (WA, "call_status"): call_status,
    (WA, "group_event"): group_event,
    **{(obj, kind): direct_message for obj in (PAGE, IG) for kind in ("dm", "postback", "referral")},
    **{(obj, kind): customer_change for obj in (PAGE, IG) for kind in ("dm_reaction", "dm_edit", "dm_delete")},
    **{(obj, kind): None for obj in (PAGE, IG) for kind in ("echo", "receipt")},
    (PAGE, "feed"): page_feed,
    **{(IG, kind): instagram_change for kind in ("comments", "live_comments", "mentions")},
    **agent.HANDLERS,  # conversations Meta's AI agent holds, and changes of holder
    (WA, "agent_media"): whatsapp_media,  # a customer's file while the agent holds: into their thread too
}


def handler_for(item: Item) -> Deliver | None:
    """The delivery for an item, or None when it needs no post (our own echoes, receipts, statuses that only
    update what we stored: those are applied by `apply_quietly`). Kinds not in HANDLERS are `unsupported`."""
    if (item.object, item.kind) == (WA, "status") and item.data.get("status") != "failed":
        return None
    return HANDLERS.get((item.object, item.kind), unsupported)


def apply_quietly(rt: Runtime, item: Item) -> None:
    """Items that change what we stored without a post: delivery statuses of replies sent from Slack."""
    if (item.object, item.kind) == (WA, "status") and item.data.get("status") != "failed":
        if not campaign_statuses.record(rt, item.data):
            receipts.record_status(rt, item.data)


def _post(rt: Runtime, router: Router, team_id: str, kind: str, post: render.Post) -> None:
    text, blocks = post
    paced_post(rt, router, team_id, router.channel(team_id, kind), text, blocks)
