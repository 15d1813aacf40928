"""Replies from Slack threads to customers, and what becomes of them.

A team member's message in a customer thread is stored in the reply outbox while Slack's request is
open, then queued (a send job per row; the periodic sweep queues rows whose job never reached Redis) and
sent by the worker: WhatsApp `/{phone-number-id}/messages`, Messenger and Instagram through the Page's Send
API. The Slack message gets a reaction when Meta accepts it; a refusal, in the answer or later as a
`failed` status, is answered in the thread. Each Slack message is sent at most once (a dedupe key on
its channel and ts), whatever Slack retries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from rq import Queue, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from slack_sdk.errors import SlackApiError

from integrations.meta import formatting, pages, whatsapp
from integrations.meta.errors import GraphError, OutcomeUnknown, TokenInvalid, Unavailable
from integrations.slack import blocks
from integrations.slack.client import call, post_message
from metaops import defaults, messages
from metaops.assets import comments, connections
from metaops.conversation import (
    messaging_window,
    notes,
    page_token,
    receipts,
    reply_files,
    reply_window,
    rich_replies,
    state,
    typing,
    unanswered,
)
from metaops.exceptions import NotConnected
from metaops.queue import connection, enqueue
from metaops.runtime import Runtime, current
from store import customers, dedupe, outbox, threads
from store.models import OutboundMessage, ReplyOutbox, Workspace

log = logging.getLogger(__name__)
SEND_JOB = "metaops.jobs.send_reply"
SEND_AGAIN_ACTION = "reply_send_again"  # the button under an unknown outcome; its value is the outbox row's id


def should_send(event: dict[str, Any]) -> bool:
    """A person's new message inside a thread: not the root, not an edit or deletion, not a bot (us); with text,
    files shared (`file_share`, or no subtype with `files`), or both."""
    return bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts") and \
        event.get("subtype") in (None, "", "file_share") and not event.get("bot_id") and \
        bool(event.get("text") or shared_files(event)) and bool(event.get("user")) and \
        not notes.is_note(event.get("text"))


def shared_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The files shared with a message, as kept in the outbox: Slack's id, name, mimetype and size."""
    return [{k: f[k] for k in ("id", "name", "mimetype", "size") if f.get(k) is not None}
            for f in event.get("files") or [] if isinstance(f, dict) and isinstance(f.get("id"), str) and f["id"]]


def from_guest(team_id: str, event: dict[str, Any]) -> bool:
    """A Slack Connect guest's message: its author's workspace (`user_team`, which Slack sets on messages in
    shared channels) is not the workspace the event was delivered to, the one that installed the app and holds
    the thread. Such a message is never sent to a customer."""
    user_team = event.get("user_team")
    return bool(user_team) and user_team != team_id


def guest_pressed(team_id: str, user: dict[str, Any] | None) -> bool:
    """A Slack Connect guest pressed a button (a block action's `user.team_id`, the user's home workspace, is not
    the workspace the request is signed for): a button that sends to a customer refuses them, as their messages
    are refused (from_guest)."""
    user_team = (user or {}).get("team_id")
    return bool(user_team) and user_team != team_id


def deleted(rt: Runtime, team_id: str, event: dict[str, Any]) -> bool:
    """A `message_deleted` event: the deleted message's reply, while it still waits to be sent, is refused ("deleted
    in Slack") and never sent (the send job skips rows that are not pending). True when a reply was cancelled."""
    channel, ts = event.get("channel"), event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or not channel or not ts:
        return False
    cancelled = outbox.refuse_pending(rt.db.engine, team_id, messages.REPLY_DELETED, rt.now(), channel, ts) > 0
    if cancelled:
        log.info("reply %s in %s deleted in Slack before it was sent: cancelled", ts, channel)
    return cancelled


def _guest_note(rt: Runtime, team_id: str, channel: str, thread_ts: str) -> None:
    """Say once per thread, in the thread (everyone there sees why a guest's message did not go out, including
    the team members who would otherwise think it had), that guests' messages are not sent."""
    key = f"slack:guest-note:{channel}:{thread_ts}"
    try:
        if not dedupe.claim(rt.db.engine, key, None, rt.now(), defaults.DEDUPE_LEASE):
            return
    except dedupe.ClaimBusy:
        return  # another request is saying it right now
    try:
        post_message(rt.slack.for_team(team_id), channel, messages.REPLY_GUEST, thread_ts=thread_ts)
    except Exception as e:  # noqa: BLE001 - nothing was sent to the customer; the next guest message says it
        dedupe.release(rt.db.engine, key)
        log.warning("guest note not posted in %s (%s)", channel, type(e).__name__)
        return
    dedupe.done(rt.db.engine, key)


def store_reply(rt: Runtime, team_id: str, event: dict[str, Any]) -> tuple[int, str] | None:
    """A message in a customer thread, stored in the outbox while Slack's request is open: its row's (id, state);
    None when the thread is not a customer's or the author is a Slack Connect guest (nothing is stored; a guest is
    told once per thread). Raises when the database cannot store it."""
    thread = threads.find_by_root(rt.db.engine, event["channel"], event["thread_ts"])
    if thread is None or thread.team_id != team_id:
        return None
    if from_guest(team_id, event):
        _guest_note(rt, team_id, event["channel"], event["thread_ts"])
        return None
    return outbox.add(rt.db.engine, team_id, event["channel"], event["thread_ts"], event["ts"], event["user"],
                      event.get("text") or "", rt.now(), files=shared_files(event),
                      interactive=event.get("interactive"))


def queue_send(rt: Runtime, outbox_id: int) -> bool:
    """Queue a stored reply's send job, unless its job is already waiting, scheduled or running (a Slack retry,
    the sweep). True when queued. Raises when Redis cannot take it: the sweep queues it later."""
    job_id = f"reply-{outbox_id}"
    if _job_active(rt.queue, job_id):
        return False
    rt.queue.enqueue_call(SEND_JOB, args=(outbox_id,), job_id=job_id, timeout=defaults.JOB_TIMEOUT, result_ttl=0,
                          failure_ttl=defaults.FAILURE_TTL, retry=enqueue.retry_for(rt.settings.JOB_RETRY_INTERVALS))
    return True


def _job_active(queue: Queue, job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=queue.connection, serializer=connection.SERIALIZER)
        status = job.get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def sweep_outbox(rt: Runtime | None = None) -> int:
    """Queue the stored replies still pending after SWEEP_GRACE whose job is not in Redis (Redis was down when
    they came, or lost them in a restart). Returns how many were queued."""
    rt = rt or current()
    older_than = rt.now() - timedelta(seconds=defaults.SWEEP_GRACE)
    queued = sum(queue_send(rt, i) for i in outbox.pending(rt.db.engine, older_than, defaults.SWEEP_BATCH))
    if queued:
        log.info("queued %d stored repl(ies) whose send job was missing", queued)
    return queued


def send(outbox_id: int) -> str:
    """The RQ job: one stored reply sent to the customer, its row marked sent, refused or (no try left) failed.
    Returns what happened, for the logs."""
    rt = current()
    reply = outbox.get(rt.db.engine, outbox_id)
    if reply is None:
        return "no such reply"
    if reply.state != outbox.PENDING:
        return f"already {reply.state}"
    job = get_current_job()
    try:
        return _send_stored(rt, reply)
    except Exception as e:
        outbox.record_attempt(rt.db.engine, outbox_id, f"{type(e).__name__}: {e}",
                              final=not (job and job.retries_left))
        raise


def send_event(team_id: str, event: dict[str, Any]) -> str:
    """A send job queued before the outbox, with the Slack event in its arguments: stored, then sent."""
    rt = current()
    stored = store_reply(rt, team_id, event)
    return send(stored[0]) if stored else "not a customer thread"


def _send_stored(rt: Runtime, reply: ReplyOutbox) -> str:
    engine, team_id = rt.db.engine, reply.team_id
    if notes.is_note(reply.text):  # the single send point: a note stored by any path never leaves, files neither
        outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), messages.NOTE_NOT_SENT)
        log.warning("reply %d is an internal note: refused at send, nothing sent", reply.id)
        try:
            receipts.react(rt.slack.for_team(team_id), reply.channel_id, reply.slack_ts, messages.NOTE_REACTION)
        except Exception as e:  # noqa: BLE001 - refused either way; the reaction only shows it stayed inside
            log.warning("reply %d: note not marked (%s)", reply.id, type(e).__name__)
        return "note"
    event: dict[str, Any] = {"channel": reply.channel_id, "thread_ts": reply.thread_ts, "ts": reply.slack_ts,
                             "user": reply.user_id, "text": reply.text, "interactive": reply.interactive}
    thread = threads.find_by_root(engine, reply.channel_id, reply.thread_ts)
    if thread is None or thread.team_id != team_id:
        outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), "not a customer thread")
        return "not a customer thread"
    key = _dedupe_key(reply)
    if not dedupe.claim(engine, key, None, rt.now(), defaults.DEDUPE_LEASE):
        outbox.finish(engine, reply.id, outbox.SENT, rt.now(), "handled by an earlier job")
        return "already sent"
    client = rt.slack.for_team(team_id)
    try:
        with rt.db.session() as s:
            ws = s.get(Workspace, team_id)
            enabled = ws is None or ws.replies_enabled
            event["signed"] = ws is not None and ws.signature_enabled
        if not enabled:
            call(client.chat_postEphemeral, channel=reply.channel_id, user=reply.user_id, text=messages.REPLIES_OFF,
                 thread_ts=reply.thread_ts)
            outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), "replies off", dedupe_key=key)
            return "replies off"
        closed = reply_window.closed_since(rt, thread.contact) if thread.platform == "whatsapp" else None
        if closed is not None:  # Meta would refuse it (131047): said at once, with the send-template button
            reply_window.say_closed(rt, team_id, reply.channel_id, reply.thread_ts, reply_window.closed_text(closed))
            outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), "reply window closed", dedupe_key=key)
            receipts.react(client, reply.channel_id, reply.slack_ts, receipts.FAILED_REACTION)
            return "window closed"
        if thread.platform in messaging_window.PLATFORMS:
            dm = messaging_window.window(rt, thread.business_id, thread.contact)
            if dm.closed_at is not None:  # past 7 days Meta takes nothing, tagged or not: said at once
                post_message(client, reply.channel_id, messaging_window.closed_text(dm.closed_at),
                             thread_ts=reply.thread_ts)
                outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), "past 7 days", dedupe_key=key)
                receipts.react(client, reply.channel_id, reply.slack_ts, receipts.FAILED_REACTION)
                return "window closed"
            event["tag"] = dm.tag
        typing.show(rt, thread, page_for)  # read, and typing while it goes out (comment threads: nothing)
        message_id = _send_files(rt, thread, reply, event) if reply.files else _send(rt, thread, event)
    except reply_files.NothingSent as e:  # each file's reason is in the thread already
        outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), str(e), dedupe_key=key)
        receipts.react(client, reply.channel_id, reply.slack_ts, receipts.FAILED_REACTION)
        return "refused"
    except OutcomeUnknown as e:
        # Meta may have sent it: neither the client nor RQ sends it again; the team checks and decides
        outbox.finish(engine, reply.id, outbox.UNKNOWN, rt.now(), e.user_text(), dedupe_key=key)
        _unknown(rt, reply, thread.platform, e.user_text())
        return "unknown"
    except Unavailable:
        dedupe.release(engine, key)  # Meta never got it: the job's retry sends it
        raise
    except (GraphError, NotConnected) as e:
        if isinstance(e, TokenInvalid):
            connections.token_failed(rt, team_id, e)
        reason = e.user_text() if isinstance(e, GraphError) else str(e)
        # Meta said no: sending again would not change that
        outbox.finish(engine, reply.id, outbox.REFUSED, rt.now(), reason, dedupe_key=key)
        receipts.refused(rt, team_id, reply.channel_id, reply.thread_ts, reply.slack_ts, reason,
                         getattr(e, "code", None))
        return "refused"
    except Exception:
        dedupe.release(engine, key)  # not sent: the job's retry may send it
        raise
    outbox.finish(engine, reply.id, outbox.SENT, rt.now(), dedupe_key=key)
    unanswered.answered(rt, team_id, reply.channel_id, reply.thread_ts)
    state.member_replied(rt, team_id, reply.channel_id, reply.thread_ts, reply.user_id)  # theirs if nobody's
    with rt.db.session() as s:
        s.merge(OutboundMessage(id=message_id, team_id=team_id, platform=thread.platform, channel_id=reply.channel_id,
                                thread_ts=reply.thread_ts, slack_ts=reply.slack_ts, created_at=rt.now()))
    receipts.react(client, reply.channel_id, reply.slack_ts, receipts.SENT_REACTION)
    if thread.platform == "whatsapp":
        receipts.mark_read(rt, thread)
    return "sent"


def _dedupe_key(reply: ReplyOutbox) -> str:
    return f"slack:reply:{reply.channel_id}:{reply.slack_ts}"


def _unknown(rt: Runtime, reply: ReplyOutbox, platform: str, reason: str) -> None:
    """Say in the thread that the outcome is unknown, what to check, and offer "Send again"."""
    client = rt.slack.for_team(reply.team_id)
    text = messages.REPLY_UNKNOWN.format(reason=reason, check=messages.REPLY_UNKNOWN_CHECK.get(platform, ""))
    try:
        post_message(client, reply.channel_id, text, thread_ts=reply.thread_ts, blocks=[
            blocks.section(text),
            blocks.actions(blocks.button(messages.REPLY_SEND_AGAIN, SEND_AGAIN_ACTION, value=str(reply.id)))])
    except Exception as e:  # noqa: BLE001 - the row says "unknown" and why; a retry must not send the message again
        log.warning("reply %d: unknown outcome could not be said in its thread (%s)", reply.id, type(e).__name__)
    receipts.react(client, reply.channel_id, reply.slack_ts, receipts.UNKNOWN_REACTION)


def send_again(rt: Runtime, team_id: str, user_id: str, outbox_id: str, is_admin: Callable[[], bool]) -> str | None:
    """The "Send again" button on a reply whose outcome was unknown: queued once (a double click or Slack's retry
    finds it pending already), by its author or an admin of the thread's workspace. None when queued; otherwise
    what to tell the person who pressed it."""
    reply = outbox.get(rt.db.engine, int(outbox_id)) if outbox_id.isdigit() else None
    if reply is None or reply.team_id != team_id:
        return messages.REPLY_AGAIN_GONE  # another workspace's row, or a forged value: reaches nothing
    if reply.user_id != user_id and not is_admin():
        return messages.REPLY_AGAIN_NOT_ALLOWED
    if not outbox.reopen(rt.db.engine, reply.id, _dedupe_key(reply)):
        current_state = outbox.get(rt.db.engine, reply.id)
        return messages.REPLY_AGAIN_NOT_WAITING.format(state=current_state.state if current_state else "gone")
    try:
        queue_send(rt, reply.id)
    except Exception as e:  # noqa: BLE001 - pending again: the periodic sweep queues it
        log.warning("reply %d to send again could not be queued (%s); the sweep will", reply.id, type(e).__name__)
    try:
        post_message(rt.slack.for_team(team_id), reply.channel_id,
                     messages.REPLY_SENDING_AGAIN.format(user=user_id), thread_ts=reply.thread_ts)
    except Exception as e:  # noqa: BLE001 - queued already; the note is a courtesy
        log.warning("reply %d: send-again note not posted (%s)", reply.id, type(e).__name__)
    return None


def _send(rt: Runtime, thread: Any, event: dict[str, Any]) -> str:
    names = _user_names(rt, thread.team_id)
    signer = _signer(names, event) if event.get("signed") else None
    if thread.platform in comments.PLATFORMS:  # a post's thread: a public reply under a comment
        return comments.send_reply(rt, thread, event, names, signer)
    if event.get("interactive"):  # a rich reply: buttons, a list, quick replies... (rich_replies)
        target = page_for(rt, thread) if thread.platform != "whatsapp" else \
            (thread.business_id, connections.token_of(rt, thread.team_id))
        return rich_replies.send(rt, thread, event["interactive"], target, recipient, signer, event.get("tag"))
    if thread.platform == "whatsapp":
        token = connections.token_of(rt, thread.team_id)
        body = formatting.slack_to_whatsapp(event["text"], names)
        body = f"*{signer}*: {body}" if signer else body  # WhatsApp's own bold
        return whatsapp.send_text(rt.graph, token, thread.business_id, recipient(rt, thread.contact), body)
    page_id, token = page_for(rt, thread)
    body = formatting.slack_to_plain(event["text"], names)
    return pages.send_text(rt.graph, token, page_id, thread.contact, f"{signer}: {body}" if signer else body,
                           event.get("tag"))


def _signer(names: Callable[[str], str], event: dict[str, Any]) -> str | None:
    """The writer's Slack display name for `/meta signature on` (None when Slack does not say it: unsigned rather
    than signed with a user id); without the characters that would break WhatsApp's bold."""
    user = str(event.get("user") or "")
    name = names(user) if user else user
    name = " ".join(name.replace("*", "").split())
    return name if name and name != user else None


def _send_files(rt: Runtime, thread: Any, reply: ReplyOutbox, event: dict[str, Any]) -> str:
    """A reply with files (`reply_files`): on WhatsApp its text is the caption of the first image, video or
    document; otherwise the text goes as its own message (through `_send`)."""
    if thread.platform == "whatsapp":
        target = reply_files.Target("whatsapp", connections.token_of(rt, thread.team_id), thread.business_id,
                                    to=recipient(rt, thread.contact))
        caption = formatting.slack_to_whatsapp(reply.text, _user_names(rt, thread.team_id)) if reply.text else ""
    else:
        page_id, token = page_for(rt, thread)
        target = reply_files.Target(thread.platform, token, page_id, recipient_id=thread.contact, tag=event.get("tag"))
        caption = ""
    return reply_files.send(rt, reply, thread.platform, target, caption, _dedupe_key(reply),
                            lambda: _send(rt, thread, event))


def recipient(rt: Runtime, contact: str) -> whatsapp.Recipient:
    """Whom a WhatsApp thread's messages go to: its group, or its customer by phone when known, else by BSUID."""
    if contact.startswith("group:"):
        return whatsapp.Recipient(group_id=contact.removeprefix("group:"))
    customer = customers.from_thread_key(rt.db.engine, contact)
    if customer is None:
        return whatsapp.Recipient(phone=contact)  # a key from before customers: the phone itself
    return whatsapp.Recipient(phone=customer.phone, bsuid=customer.bsuid)


def page_for(rt: Runtime, thread: Any) -> tuple[str, str]:
    """The Page whose token sends: the thread's Page (Messenger) or the Page linked to the Instagram account."""
    return page_token.page_for(rt, thread.team_id, thread.platform, thread.business_id)


def _user_names(rt: Runtime, team_id: str) -> Any:
    client = rt.slack.for_team(team_id)

    def name(user_id: str) -> str:
        try:
            user = client.users_info(user=user_id)["user"]
            return (user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name") or \
                user_id
        except SlackApiError:
            return user_id

    return name




PENDING = outbox.PENDING  # store_reply's state of a reply stored and waiting to be sent: queue_send it
