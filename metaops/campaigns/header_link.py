"""A campaign's media header (a template whose HEADER is an IMAGE, VIDEO or DOCUMENT): each row's media from the
file's `header_media` column, a public https link Meta fetches or the id of media already uploaded to Meta
(Meta's header parameter: `{"type": "image", "image": {"link": …}}` or `{… {"id": …}}`). The template's example
is never sent in its place: without the column the file is refused."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from metaops import messages
from metaops.templates.header_media import MEDIA_FORMATS
from metaops.templates.values import Needs, components

COLUMN = "header_media"
MEDIA_ID = re.compile(r"^[0-9]{6,32}$")  # Meta's media ids are numbers
MAX_LINK = 2000  # the longest media link taken, characters


def wanted(n: Needs) -> bool:
    return n.header_format in MEDIA_FORMATS


def kind(n: Needs) -> str:
    """The media header's kind as Meta's parameter names it: image, video or document."""
    return str(n.header_format or "").lower()


def label(n: Needs) -> str:
    return f"header {kind(n)}"


def problem(raw: str) -> str | None:
    """What is wrong with a row's media (a link or a media id), or None."""
    value = raw.strip()
    if not value:
        return messages.SEND_VALUE_MISSING
    if MEDIA_ID.match(value):
        return None
    if len(value) > MAX_LINK or re.search(r"\s", value):
        return messages.CAMPAIGN_MEDIA_NOT_LINK.format(value=value[:60])
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme != "https" or "." not in host or _private(host):
        return messages.CAMPAIGN_MEDIA_NOT_LINK.format(value=value[:60])
    return None


def _private(host: str) -> bool:
    """An address Meta cannot reach from the internet (loopback, a private network)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    return not address.is_global


def parameter(n: Needs, raw: str) -> dict[str, Any]:
    """The header component Meta takes for this row's media."""
    media_kind = kind(n)
    value = raw.strip()
    media: dict[str, str] = {"id": value} if MEDIA_ID.match(value) else {"link": value}
    if media_kind == "document" and "link" in media:
        name = unquote(urlsplit(value).path.rsplit("/", 1)[-1])
        if "." in name:
            media["filename"] = name[:240]
    return {"type": "header", "parameters": [{"type": media_kind, media_kind: media}]}


def send_components(n: Needs, values: dict[str, str]) -> list[dict[str, Any]]:
    """The send's components for one row: its media header first, then the template's values."""
    out = components(n, values)
    if wanted(n):
        out.insert(0, parameter(n, values.get(COLUMN, "")))
    return out
