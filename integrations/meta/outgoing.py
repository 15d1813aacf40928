"""What Meta takes as a file sent to a customer: the kind each platform sends a type as, and its size limit.

WhatsApp Cloud API (supported media types): image jpeg/png 5 MB; video mp4/3gpp 16 MB; audio aac, amr, mpeg, mp4,
ogg (Opus) 16 MB; documents (text, PDF, Word, Excel, PowerPoint) 100 MB; stickers webp 100 KB static, 500 KB
animated. Messenger (Attachment Upload API): image, video, audio, file, 25 MB each. Instagram (through its Page):
image png/jpeg/gif 8 MB; video mp4, ogg, avi, mov, webm 25 MB; audio aac, m4a, wav, mp4 25 MB; file pdf 25 MB."""

from __future__ import annotations

from dataclasses import dataclass

KB, MB = 1024, 1024 * 1024
STATIC_STICKER_MAX = 100 * KB  # a webp sticker that is not animated

_WHATSAPP_DOCUMENTS = (
    "text/plain", "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation")
WHATSAPP: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 5 * MB), "image/png": ("image", 5 * MB),
    "video/mp4": ("video", 16 * MB), "video/3gpp": ("video", 16 * MB), "video/3gp": ("video", 16 * MB),
    **{f"audio/{t}": ("audio", 16 * MB) for t in ("aac", "amr", "mpeg", "mp4", "ogg")},
    **{t: ("document", 100 * MB) for t in _WHATSAPP_DOCUMENTS},
    "image/webp": ("sticker", 500 * KB),  # animated; a static one: STATIC_STICKER_MAX
}
INSTAGRAM: dict[str, tuple[str, int]] = {
    **{f"image/{t}": ("image", 8 * MB) for t in ("png", "jpeg", "gif")},
    **{f"video/{t}": ("video", 25 * MB) for t in ("mp4", "ogg", "avi", "x-msvideo", "quicktime", "webm")},
    **{f"audio/{t}": ("audio", 25 * MB) for t in ("aac", "mp4", "x-m4a", "m4a", "wav", "x-wav")},
    "application/pdf": ("file", 25 * MB),
}
MESSENGER_MAX = 25 * MB


@dataclass(frozen=True)
class Fit:
    """How a file goes out: the message kind (WhatsApp: image, video, audio, document, sticker; Messenger and
    Instagram: image, video, audio, file) and the largest size Meta takes for it, in bytes."""

    kind: str
    max_bytes: int


def fit(platform: str, mime_type: str) -> Fit | None:
    """The kind and limit for a file of `mime_type` on `platform` (whatsapp, messenger, instagram); None when the
    platform does not take that type."""
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    if platform == "whatsapp":
        found = WHATSAPP.get(mime)
    elif platform == "instagram":
        found = INSTAGRAM.get(mime)
    else:
        top = mime.split("/", 1)[0]
        found = (top if top in ("image", "video", "audio") else "file", MESSENGER_MAX) if mime else None
    return Fit(*found) if found else None


def animated_webp(data: bytes) -> bool:
    """A webp with an animation chunk (`ANIM`, right after the extended header)."""
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data.find(b"ANIM", 12, 4096) >= 0


def limit_of(platform: str, fitted: Fit, data: bytes) -> int:
    """The limit once the bytes are known: a WhatsApp sticker that is not animated may be 100 KB only."""
    if platform == "whatsapp" and fitted.kind == "sticker" and not animated_webp(data):
        return STATIC_STICKER_MAX
    return fitted.max_bytes
