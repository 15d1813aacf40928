"""Meta's Resumable Upload API: a file handed to Meta for a later use by its handle (a template's media header
sample takes the handle in `example.header_handle`).

Two calls: `POST /{app-id}/uploads?file_name=&file_length=&file_type=` opens an upload session (`upload:…`), then
`POST /{upload-session-id}` with `Authorization: OAuth <token>`, the header `file_offset: 0` and the file's bytes
as the body answers `{"h": "<handle>"}`. The token is a user's (or system user's) token of the app's business.
"""

from __future__ import annotations

from integrations.meta.graph import GraphClient

# The content types the Resumable Upload API takes (its `file_type`)
FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")


class UploadRefused(Exception):
    """Meta answered without a session id or a handle."""


def start_session(graph: GraphClient, token: str, file_name: str, file_length: int, file_type: str) -> str:
    """An upload session for one file of the app (`graph.app_id`); returns its id (`upload:…`)."""
    if file_type not in FILE_TYPES:
        raise ValueError(f"the resumable upload does not take {file_type!r}")
    answer = graph.request("POST", f"{graph.app_id}/uploads", token,
                           params={"file_name": file_name, "file_length": file_length, "file_type": file_type})
    session = str(answer.get("id") or "")
    if not session.startswith("upload:"):
        raise UploadRefused(f"Meta opened no upload session ({answer!r:.200})")
    return session


def upload(graph: GraphClient, token: str, session_id: str, data: bytes, offset: int = 0) -> str:
    """The bytes sent into the session from `offset`; returns the file's handle (`h`). The session id is used as
    Meta gave it (it may carry its own `?sig=…`)."""
    answer = graph.request("POST", session_id, token, content=data, auth_scheme="OAuth",
                           headers={"file_offset": str(offset), "Content-Type": "application/octet-stream"})
    handle = str(answer.get("h") or "")
    if not handle:
        raise UploadRefused(f"Meta gave no handle for the upload ({answer!r:.200})")
    return handle


def upload_file(graph: GraphClient, token: str, file_name: str, data: bytes, file_type: str) -> str:
    """A whole file, in one session and one call: its handle."""
    return upload(graph, token, start_session(graph, token, file_name, len(data), file_type), data)

