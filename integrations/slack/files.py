"""Files shared in Slack: their details (`files.info`) and their bytes (`url_private_download`, with the bot token
in the Authorization header, never past a size)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from slack_sdk import WebClient

from integrations.slack.client import call

SLACK_FILE_HOSTS = (".slack.com", ".slack-edge.com")


class FileUnavailable(Exception):
    """Slack did not hand out the file (an HTTP error, its sign-in page instead of the file, a host we do not
    send the token to); `status` is the HTTP status when there was one."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


def info(client: WebClient, file_id: str) -> dict[str, Any]:
    """The file's details: `name`, `mimetype`, `size`, `url_private_download` (SlackApiError when Slack refuses)."""
    file: dict[str, Any] = call(client.files_info, file=file_id)["file"]
    return file


def trusted(url: str, api_base: str) -> bool:
    """The bot token goes only to Slack's hosts over https (or to the configured API base's host, as in tests)."""
    parts, base = urlsplit(url), urlsplit(api_base)
    if (parts.scheme, parts.hostname, parts.port) == (base.scheme, base.hostname, base.port):
        return True
    host = parts.hostname or ""
    return parts.scheme == "https" and (host == "slack.com" or host.endswith(SLACK_FILE_HOSTS))


def download(client: WebClient, url: str, max_bytes: int, session: requests.Session | None = None,
             timeout: float | tuple[float, float] = (5, 60)) -> bytes | None:
    """The file's bytes, or None when it is larger than `max_bytes`. Raises FileUnavailable when Slack does not
    hand it out, requests' exceptions when Slack does not answer."""
    if not trusted(url, client.base_url):
        raise FileUnavailable("the file's address is not Slack's")
    getter = session or requests
    with getter.get(url, headers={"Authorization": f"Bearer {client.token}"}, timeout=timeout, stream=True,
                    allow_redirects=False) as r:
        if r.status_code >= 300:
            raise FileUnavailable(f"Slack answered HTTP {r.status_code}", r.status_code)
        if r.headers.get("Content-Type", "").startswith("text/html"):
            raise FileUnavailable("Slack answered with its sign-in page")  # what a missing or wrong token gets
        data: bytes = r.raw.read(max_bytes + 1, decode_content=True)
    return None if len(data) > max_bytes else data
