"""Coexistence payloads of a WhatsApp Business app number onboarded to Cloud API, read without trusting their shape.

`history` (Meta's history webhook reference): `value.history[]`, each with `metadata` (`phase` 0-2, `chunk_order`,
`progress` 0-100) and `threads[]` (`id`: the WhatsApp user's phone; `messages[]` as in the messages webhook, `from`
the business's or the user's phone, `to` only on the business's own, `history_context.status`), or `errors[]`
when the business declined to share its chat history (code 2593109). Media messages come without media ids; their
details may follow in a history webhook of their own (`value.messages[]`, for media of the last 14 days).
`smb_app_state_sync`: `value.state_sync[]` of `type` contact, `action` add (added or edited) or remove, with
`contact.full_name`, `first_name` (absent on remove) and `phone_number`.

Nothing here raises on a bad shape: what cannot be read is named in `problems`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.meta.payload import unix_seconds

DECLINED_CODE = 2593109  # Meta's error: the business did not share its chat history


@dataclass(frozen=True)
class HistoryMessage:
    id: str
    thread: str  # the WhatsApp user's phone (the thread's id)
    outgoing: bool  # sent by the business from the app
    sent_at: float | None  # Unix seconds
    data: dict[str, Any]  # the message object as Meta sent it


@dataclass
class HistoryChunk:
    phase: int | None = None
    chunk_order: int | None = None
    progress: int | None = None
    messages: list[HistoryMessage] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return any(e.get("code") == DECLINED_CODE for e in self.errors)


@dataclass(frozen=True)
class AppContact:
    phone: str
    name: str | None  # full name, else first name; None when removed or not given
    removed: bool


def history(value: dict[str, Any]) -> HistoryChunk:
    """Every part of a `history` value's `history[]`, merged: the highest phase and progress, all messages."""
    chunk = HistoryChunk()
    parts = value.get("history")
    if parts is None and isinstance(value.get("messages"), list):  # media details, sent apart from the chunks
        _thread({"messages": value["messages"]}, chunk)
        return chunk
    if not isinstance(parts, list):
        chunk.problems.append("`history` is not a list")
        return chunk
    for part in parts:
        if not isinstance(part, dict):
            chunk.problems.append("a `history` entry is not an object")
            continue
        meta: dict[str, Any] = part["metadata"] if isinstance(part.get("metadata"), dict) else {}
        chunk.phase = _most(chunk.phase, _int(meta.get("phase")))
        chunk.chunk_order = _most(chunk.chunk_order, _int(meta.get("chunk_order")))
        chunk.progress = _most(chunk.progress, _int(meta.get("progress")))
        chunk.errors.extend(e for e in _list(part.get("errors"), chunk, "`errors`") if isinstance(e, dict))
        if "threads" in part:
            for thread in _list(part.get("threads"), chunk, "`threads`"):
                _thread(thread, chunk)
        elif not part.get("errors"):
            chunk.problems.append("a `history` entry has no `threads`")
    return chunk


def contacts(value: dict[str, Any]) -> list[AppContact]:
    """The contacts a `smb_app_state_sync` value names (entries of another type or without a phone are left out)."""
    found = []
    entries: list[Any] = value["state_sync"] if isinstance(value.get("state_sync"), list) else []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "contact" or not isinstance(entry.get("contact"), dict):
            continue
        c = entry["contact"]
        phone = "".join(ch for ch in str(c.get("phone_number") or "") if ch.isdigit())
        if not phone:
            continue
        name = c.get("full_name") or c.get("first_name")
        removed = entry.get("action") == "remove"
        found.append(AppContact(phone, str(name).strip() or None if name and not removed else None, removed))
    return found


def _thread(thread: Any, chunk: HistoryChunk) -> None:
    if not isinstance(thread, dict):
        chunk.problems.append("a thread is not an object")
        return
    phone = str(thread.get("id") or "").lstrip("+")
    for m in _list(thread.get("messages"), chunk, "a thread's `messages`"):
        if not isinstance(m, dict) or not m.get("id"):
            chunk.problems.append("a message without an id")
            continue
        sender = str(m.get("from") or "").lstrip("+")
        who = phone or str(m.get("to") or "").lstrip("+") or sender
        if not who:
            chunk.problems.append("a message whose thread names nobody")
            continue
        chunk.messages.append(HistoryMessage(str(m["id"]), who, bool(sender) and sender != who,
                                             unix_seconds(m.get("timestamp")), m))


def _list(v: Any, chunk: HistoryChunk, what: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        chunk.problems.append(f"{what} is not a list")
        return []
    return v


def _int(v: Any) -> int | None:
    try:
        return int(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError):
        return None


def _most(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)
