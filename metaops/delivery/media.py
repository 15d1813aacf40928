"""Customer media from WhatsApp, fetched from Meta with the stored token and uploaded into the thread."""

from __future__ import annotations

import logging

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from integrations.meta.media import download, trusted
from integrations.slack.client import call, post_message
from metaops import connections, defaults, messages
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
        data = download(rt.graph, url, token, defaults.MEDIA_MAX_BYTES)
        if data is None:
            post_message(client, channel, messages.MEDIA_TOO_LARGE.format(
                kind=kind, size=">" + str(defaults.MEDIA_MAX_BYTES // 2**20), limit=defaults.MEDIA_MAX_BYTES // 2**20),
                thread_ts=thread_ts)
            return
    except GraphError as e:
        post_message(client, channel, messages.MEDIA_FAILED.format(kind=kind, reason=e.user_text()),
                     thread_ts=thread_ts)
        return
    except Exception as e:  # noqa: BLE001 - a download failure is said in the thread; the message is posted
        log.warning("media %s could not be fetched: %s", media_id, type(e).__name__)
        post_message(client, channel, messages.MEDIA_FAILED.format(kind=kind, reason=type(e).__name__),
                     thread_ts=thread_ts)
        return
    filename = part.get("filename") or f"{kind}-{media_id}.{_extension(info.get('mime_type', ''))}"
    call(client.files_upload_v2, channel=channel, thread_ts=thread_ts, content=data, filename=filename,
         title=part.get("caption") or filename)


def _extension(mime: str) -> str:
    sub = mime.split("/")[-1].split(";")[0].strip()
    return {"jpeg": "jpg", "mpeg": "mp3", "ogg": "ogg", "plain": "txt"}.get(sub, sub or "bin")
