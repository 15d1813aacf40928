"""Customer media from WhatsApp, fetched from Meta with the stored token and uploaded into the thread."""

from __future__ import annotations

import logging

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError, Throttled, Unavailable
from integrations.meta.media import MediaRefused, download, trusted
from integrations.slack.client import call, post_message
from metaops import defaults, messages
from metaops.assets import connections
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime

log = logging.getLogger(__name__)


def upload_whatsapp_media(rt: Runtime, team_id: str, channel: str, thread_ts: str | None, message: dict) -> None:
    kind = message.get("type")
    part = message.get(kind) or {}
    media_id = part.get("id")
    if not media_id:
        return
    client = rt.slack.for_team(team_id)
    try:
        token = connections.token_of(rt, team_id)
        info = whatsapp.media_info(rt.graph, token, str(media_id))
        size = int(info.get("file_size") or 0)
        if size > defaults.MEDIA_MAX_BYTES:
            post_message(client, channel, messages.MEDIA_TOO_LARGE.format(
                kind=kind, size=round(size / 2**20, 1), limit=defaults.MEDIA_MAX_BYTES // 2**20), thread_ts=thread_ts)
            return
        url = str(info.get("url") or "")
        if not trusted(url, rt.settings.META_GRAPH_URL):
            raise GraphError("Meta gave a media link on an unexpected host")
        data = download(rt.graph, url, token, defaults.MEDIA_MAX_BYTES)  # MediaRefused, or requests' errors
        if data is None:
            post_message(client, channel, messages.MEDIA_TOO_LARGE.format(
                kind=kind, size=">" + str(defaults.MEDIA_MAX_BYTES // 2**20), limit=defaults.MEDIA_MAX_BYTES // 2**20),
                thread_ts=thread_ts)
            return
    except (GraphError, NotConnected, MediaRefused) as e:
        if transient(e):
            raise  # Meta may answer later: this item fails and the event is retried (its message is posted once)
        reason = e.user_text() if isinstance(e, GraphError) else str(e)
        log.warning("media %s could not be fetched: %s", media_id, reason)
        post_message(client, channel, messages.MEDIA_FAILED.format(kind=kind, reason=reason), thread_ts=thread_ts)
        return
    filename = part.get("filename") or f"{kind}-{media_id}.{_extension(info.get('mime_type', ''))}"
    call(client.files_upload_v2, channel=channel, thread_ts=thread_ts, content=data, filename=filename,
         title=part.get("caption") or filename)


def transient(error: Exception) -> bool:
    """Whether fetching may work later: Meta unavailable, throttled or 5xx (the Graph client tried a few
    times already), or the file host answering 5xx or 429. Anything else Meta refused (404 once a media id
    expired, 403, a token that stopped working, a link on another host) will not change."""
    if isinstance(error, MediaRefused):
        return error.status >= 500 or error.status == 429
    return isinstance(error, Unavailable | Throttled) or (isinstance(error, GraphError) and error.status >= 500)


def _extension(mime: str) -> str:
    sub = mime.split("/")[-1].split(";")[0].strip()
    return {"jpeg": "jpg", "mpeg": "mp3", "ogg": "ogg", "plain": "txt"}.get(sub, sub or "bin")
