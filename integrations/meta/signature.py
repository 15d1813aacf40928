"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body."""

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for `body`."""
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when `header` signs exactly these bytes; constant-time, never raises."""
    if not header or not app_secret or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode())
