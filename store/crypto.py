"""Secrets at rest: MultiFernet over ENCRYPTION_KEYS (the first key encrypts, every key decrypts)."""

from __future__ import annotations

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AppSecret, MetaConnection, Page, SlackInstallation

# Every column that holds a Fernet token; rotation re-encrypts all of them.
ENCRYPTED_COLUMNS = [(MetaConnection, "token_enc"), (Page, "token_enc"), (AppSecret, "value_enc"),
                     (SlackInstallation, "data_enc")]


class Crypto:
    def __init__(self, keys: list[bytes]) -> None:
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str, ttl: int | None = None) -> str:
        """Raises cryptography's InvalidToken when forged, or older than `ttl` seconds."""
        return self._fernet.decrypt(token.encode(), ttl=ttl).decode()

    def timestamp(self, token: str) -> int:
        """When an authentic token was made (Unix seconds); InvalidToken when forged."""
        return self._fernet.extract_timestamp(token.encode())

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()


def rotate_all(session: Session, crypto: Crypto) -> int:
    """Re-encrypt every stored secret with the first key; returns how many values were rewritten."""
    count = 0
    for model, column in ENCRYPTED_COLUMNS:
        for row in session.scalars(select(model)):
            value = getattr(row, column)
            if value:
                setattr(row, column, crypto.rotate(value))
                count += 1
    return count
