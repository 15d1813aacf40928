"""Media headers: a file shared in Slack, checked against Meta's types and sizes, read with the bot token and
uploaded to Meta (Slack's file links need the token, so Meta could not fetch them by link)."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.meta import whatsapp
from integrations.meta.media import MediaRefused, download
from metaops import defaults, messages
from metaops.runtime import Runtime
from metaops.templates import catalog

log = logging.getLogger(__name__)
SLACK_FILE = re.compile(r"(?:^|/)(F[A-Z0-9]{6,})(?:/|$)")
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
# Meta's media limits for template headers: content types and largest size, bytes
MEDIA_TYPES = {
    "IMAGE": (("image/jpeg", "image/png"), 5 * 2**20),
    "VIDEO": (("video/mp4", "video/3gpp"), 16 * 2**20),
    "DOCUMENT": (("application/pdf",), 100 * 2**20),
}


def slack_file_id(raw: str) -> str | None:
    """A Slack file's id from its id (F…) or any of its links (permalink, private URL)."""
    text = (raw or "").strip()
    found = SLACK_FILE.search(text)
    return found.group(1) if found else None


def file_refusal(info: dict[str, Any], user_id: str, channel_id: str) -> str | None:
    """Why a Slack file (files.info's `file`) typed in a form may not be used, or None: it may be when the
    submitter (`user_id`) is its owner, or when it is shared in the channel where the form was opened
    (`channel_id`). The bot reads files of every channel it is in; a member reaches only through it what they could
    see themselves."""
    if user_id and str(info.get("user") or "") == user_id:
        return None
    if channel_id:
        for key in ("channels", "groups", "ims"):
            if channel_id in (info.get(key) or ()):
                return None
        shares = info.get("shares") or {}
        for kind in ("public", "private"):
            if channel_id in (shares.get(kind) or {}):
                return None
    return messages.SEND_MEDIA_NOT_YOURS


def check_media(client: WebClient, header_format: str, raw: str, user_id: str, channel_id: str) -> str | None:
    """What is wrong with the Slack file for a media header (the submitter's right to it, Meta's types and sizes),
    or None."""
    file_id = slack_file_id(raw)
    if not file_id:
        return messages.SEND_MEDIA_MISSING
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as e:
        log.info("files.info %s: %s", file_id, e.response.get("error"))
        return messages.SEND_MEDIA_UNREADABLE
    return file_refusal(info, user_id, channel_id) or _media_problem(header_format, info)


def _media_problem(header_format: str, info: dict[str, Any]) -> str | None:
    types, limit = MEDIA_TYPES[header_format]
    mime = str(info.get("mimetype") or "")
    if mime not in types:
        return messages.SEND_MEDIA_TYPE.format(kind=header_format.lower(), types=", ".join(types), mime=mime or "?")
    if int(info.get("size") or 0) > limit:
        return messages.SEND_MEDIA_SIZE.format(kind=header_format.lower(), limit=limit // 2**20)
    return None


def upload_header(rt: Runtime, team_id: str, token: str, phone_number_id: str, header_format: str,
                  raw: str) -> tuple[str, str]:
    """The Slack file read with the bot token and uploaded to Meta: (media id, file name)."""
    client = rt.slack.for_team(team_id)
    file_id = slack_file_id(raw) or ""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE}) from None
    problem = _media_problem(header_format, info)
    if problem:
        raise catalog.Refused({"header_media": problem})
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not _slack_host(url, rt.settings.SLACK_API_URL):  # the bot token goes to Slack only
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE})
    limit = MEDIA_TYPES[header_format][1]
    try:
        data = download(rt.graph.session, url, str(client.token or ""), limit, timeout=defaults.GRAPH_TIMEOUT)
    except MediaRefused:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE}) from None
    if data is None:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_SIZE.format(
            kind=header_format.lower(), limit=limit // 2**20)})
    name = str(info.get("name") or f"{file_id}")
    return whatsapp.upload_media(rt.graph, token, phone_number_id, name, data, str(info["mimetype"])), name


def _slack_host(url: str, api_url: str) -> bool:
    """Slack's file hosts over https, or the configured Slack API's own host (as in tests)."""
    parts, base = urlsplit(url), urlsplit(api_url)
    if (parts.scheme, parts.hostname) == (base.scheme, base.hostname):
        return True
    host = parts.hostname or ""
    return parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))
