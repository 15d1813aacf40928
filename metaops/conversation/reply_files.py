"""Files a team member shares in a customer thread, sent to the customer.

The reply's row in the outbox holds the files' Slack ids. The worker reads each file's details from Slack
(`files.info`), checks the platform's type and size limits before fetching anything (`integrations.meta.outgoing`),
fetches the file with the bot token (never past the limit), uploads it to Meta (WhatsApp `/{phone-number-id}/media`;
Messenger and Instagram the Page's Attachment Upload API) and sends it by its id: on WhatsApp with the message's
text as caption on the first image, video or document (a document also with its file name); elsewhere, or when no
file takes a caption, the text goes first as its own message. A file that cannot go (too large, a type the platform
does not take, Slack not handing it out, Meta refusing the upload) is explained in the thread; the others still go.

Each part (the text, each file) has a dedupe key under the reply's, marked done once Meta accepted it, so a retry
after a failure part-way sends only what had not gone yet."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

import integrations.slack.files
from integrations.meta import outgoing, pages, whatsapp
from integrations.meta.errors import GraphError, OutcomeUnknown, TokenInvalid, Unavailable
from integrations.slack.client import post_message
from metaops import defaults, messages
from metaops.conversation import notes
from metaops.runtime import Runtime
from store import dedupe
from store.models import OutboundMessage, ReplyOutbox

log = logging.getLogger(__name__)
CAPTION_MAX = 1024  # longest caption WhatsApp takes on a media message, characters
PLATFORM_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}


@dataclass(frozen=True)
class Target:
    """Where the files go: WhatsApp (`sender` the phone number id, `to` the customer) or a Page's Send API
    (`sender` the Page id, `recipient_id` the PSID or IGSID)."""

    platform: str
    token: str
    sender: str
    to: whatsapp.Recipient | None = None
    recipient_id: str = ""
    tag: str | None = None  # Messenger and Instagram: the message tag a reply past 24 hours carries


class NothingSent(Exception):
    """Neither the text nor any file reached Meta; each reason was said in the thread."""


@dataclass
class _Part:
    file: dict
    fit: outgoing.Fit | None = None
    refusal: str | None = None  # said in the thread instead of sending


def send(rt: Runtime, reply: ReplyOutbox, thread_platform: str, target: Target, caption: str, reply_key: str,
         send_text: Callable[[], str]) -> str:
    """Send the reply's text and files; Meta's id of the last message sent. Raises NothingSent when nothing went,
    Unavailable when Meta could not be reached (the job's retry goes on where this one stopped), OutcomeUnknown when
    a send may or may not have reached the customer, GraphError when Meta refused a send."""
    if notes.is_note(reply.text) or notes.is_note(caption):  # a note is no caption, and its files stay in Slack too
        raise NothingSent(messages.NOTE_NOT_SENT)
    client = rt.slack.for_team(reply.team_id)
    platform = PLATFORM_NAMES.get(thread_platform, thread_platform)
    parts = [_inspect(client, thread_platform, f, platform) for f in reply.files or []]
    carrier = None  # the part whose message carries the text as caption (WhatsApp)
    if target.platform == "whatsapp" and caption and len(caption) <= CAPTION_MAX:
        carrier = next((p for p in parts if p.fit and not p.refusal and p.fit.kind in whatsapp.CAPTIONED), None)
    sent: list[str] = []
    text_key = f"{reply_key}:text"
    earlier = False  # a part an earlier try of this job did
    if reply.text and carrier is None:
        earlier |= not _once(rt, text_key, lambda: sent.append(_record(rt, reply, thread_platform, send_text())))
    for part in parts:
        earlier |= not _once(rt, f"{reply_key}:file:{part.file.get('id')}", partial(
            _file_part, rt, client, reply, thread_platform, target, part, caption if part is carrier else "", text_key,
            sent))
    if reply.text:  # the file that was to carry the text did not go (else its key is done): the text goes alone
        _once(rt, text_key, lambda: sent.append(_record(rt, reply, thread_platform, send_text())))
    if not sent and earlier:  # this try only finished what an earlier one began: what that one sent
        with rt.db.session() as s:
            sent = list(s.scalars(select(OutboundMessage.id).where(
                OutboundMessage.channel_id == reply.channel_id, OutboundMessage.slack_ts == reply.slack_ts)))
    if not sent:
        raise NothingSent(messages.REPLY_FILES_NONE_SENT)
    return sent[-1]


def _once(rt: Runtime, key: str, act: Callable[[], object]) -> bool:
    """Run `act` unless an earlier try did (a part sent, or refused and said): False then. The part's key is done
    once `act` returns, given back when it raises so the job's retry does it."""
    if not dedupe.claim(rt.db.engine, key, None, rt.now(), defaults.DEDUPE_LEASE):
        return False
    try:
        act()
    except Exception:
        dedupe.release(rt.db.engine, key)
        raise
    dedupe.done(rt.db.engine, key)
    return True


def _file_part(rt: Runtime, client: WebClient, reply: ReplyOutbox, platform: str, target: Target, part: _Part,
               caption: str, text_key: str, sent: list[str]) -> None:
    """One file: sent (with the caption, which then counts as the text sent), or its refusal said in the thread."""
    refusal = part.refusal or _send_file(rt, client, reply, platform, target, part, caption, sent)
    if refusal:
        _say(client, reply, refusal)
    elif caption and dedupe.claim(rt.db.engine, text_key, None, rt.now(), defaults.DEDUPE_LEASE):
        dedupe.done(rt.db.engine, text_key)


def _inspect(client: WebClient, platform: str, file: dict, platform_name: str) -> _Part:
    """The file's details from Slack and what the platform allows for it, before anything is fetched."""
    part = _Part(file=dict(file))
    name = file.get("name") or file.get("id") or "file"
    try:
        part.file.update(integrations.slack.files.info(client, str(file.get("id"))))
    except SlackApiError as e:
        part.refusal = messages.REPLY_FILE_UNAVAILABLE.format(name=name, reason=e.response.get("error"))
        return part
    name = part.file.get("name") or name
    mime = str(part.file.get("mimetype") or "")
    part.fit = outgoing.fit(platform, mime)
    if part.fit is None:
        part.refusal = messages.REPLY_FILE_TYPE.format(name=name, platform=platform_name, mime=mime or "unknown",
                                                       allowed=messages.REPLY_FILE_ALLOWED.get(platform, ""))
    elif int(part.file.get("size") or 0) > part.fit.max_bytes:
        part.refusal = _too_large(name, platform_name, part.fit.kind, part.fit.max_bytes, int(part.file["size"]))
    return part


def _send_file(rt: Runtime, client: WebClient, reply: ReplyOutbox, platform: str, target: Target, part: _Part,
               caption: str, sent: list[str]) -> str | None:
    """Fetch, upload and send one file; its refusal text when it cannot go."""
    assert part.fit is not None
    name, mime = str(part.file.get("name") or part.file.get("id")), str(part.file.get("mimetype"))
    platform_name = PLATFORM_NAMES.get(platform, platform)
    url = str(part.file.get("url_private_download") or part.file.get("url_private") or "")
    try:
        data = integrations.slack.files.download(client, url, part.fit.max_bytes,
                                    timeout=defaults.SLACK_FILE_TIMEOUT)
    except integrations.slack.files.FileUnavailable as e:
        if e.status is not None and (e.status >= 500 or e.status == 429):
            raise  # may work later: the job's retry
        return messages.REPLY_FILE_UNAVAILABLE.format(name=name, reason=str(e))
    limit = outgoing.limit_of(platform, part.fit, data) if data is not None else part.fit.max_bytes
    if data is None or len(data) > limit:
        return _too_large(name, platform_name, part.fit.kind, limit, len(data) if data is not None else limit + 1)
    try:
        if target.platform == "whatsapp":
            media_id = whatsapp.upload_media(rt.graph, target.token, target.sender, name, data, mime)
        else:
            media_id = pages.upload_attachment(rt.graph, target.token, target.sender, part.fit.kind, name, data, mime,
                                               instagram=target.platform == "instagram")
    except OutcomeUnknown as e:
        raise Unavailable(f"upload of {name}: {e.user_text()}") from e  # an upload repeated sends nothing
    except TokenInvalid:
        raise
    except GraphError as e:
        if isinstance(e, Unavailable):
            raise
        return messages.REPLY_FILE_REFUSED.format(name=name, reason=e.user_text())
    if target.platform == "whatsapp":
        assert target.to is not None
        message_id = whatsapp.send_media(rt.graph, target.token, target.sender, target.to, part.fit.kind, media_id,
                                         caption=caption or None, filename=name)
    else:
        message_id = pages.send_attachment(rt.graph, target.token, target.sender, target.recipient_id,
                                           part.fit.kind, media_id, target.tag)
    sent.append(_record(rt, reply, platform, message_id))
    return None


def _record(rt: Runtime, reply: ReplyOutbox, platform: str, message_id: str) -> str:
    """A message Meta accepted, kept so its statuses (a later failure) find the reply's thread."""
    with rt.db.session() as s:
        s.merge(OutboundMessage(id=message_id, team_id=reply.team_id, platform=platform, channel_id=reply.channel_id,
                                thread_ts=reply.thread_ts, slack_ts=reply.slack_ts))
    return message_id


def _say(client: WebClient, reply: ReplyOutbox, text: str) -> None:
    post_message(client, reply.channel_id, text, thread_ts=reply.thread_ts)


def _too_large(name: str, platform: str, kind: str, limit: int, size: int) -> str:
    return messages.REPLY_FILE_TOO_LARGE.format(name=name, platform=platform, kind=kind, limit=_size(limit),
                                                size=_size(size))


def _size(n: int) -> str:
    if n >= outgoing.MB:
        return f"{n / outgoing.MB:.1f}".removesuffix(".0") + " MB"
    return f"{n / outgoing.KB:.0f} KB" if n >= outgoing.KB else f"{n} bytes"
