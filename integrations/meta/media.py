"""Downloading a customer's media from the link Meta gives, with the token, never past a size."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from integrations.meta.graph import GraphClient, Timeout

META_HOSTS = (".fbsbx.com", ".facebook.com", ".fbcdn.net")


def trusted(url: str, graph_base: str) -> bool:
    """The token goes only to Meta's hosts over https (or to the configured Graph base, as in tests)."""
    parts, base = urlsplit(url), urlsplit(graph_base)
    if (parts.scheme, parts.hostname) == (base.scheme, base.hostname):
        return True
    return parts.scheme == "https" and (parts.hostname or "").endswith(META_HOSTS)


class MediaRefused(Exception):
    """The file host answered an HTTP error; `status` says whether it may work later (5xx, 429) or not (4xx)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Meta's file host answered HTTP {status}")
        self.status = status


def download(session_or_client: requests.Session | GraphClient, url: str, token: str, max_bytes: int,
             timeout: Timeout | None = None) -> bytes | None:
    """The file's bytes, or None when it is larger than `max_bytes`. A client lends its session and timeout.
    An HTTP error answer raises MediaRefused; no answer (timeout, connection) raises requests' exceptions."""
    if isinstance(session_or_client, GraphClient):
        session, timeout = session_or_client.session, timeout or session_or_client.timeout
    else:
        session = session_or_client
    with session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout, stream=True) as r:
        if r.status_code >= 400:
            raise MediaRefused(r.status_code)
        data: bytes = r.raw.read(max_bytes + 1, decode_content=True)
    return None if len(data) > max_bytes else data
