"""Multi-workspace mode (SLACK_CLIENT_ID): where installations live (encrypted, in our database) and
the OAuth state for `/slack/install` (single-use, in Redis)."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime
from typing import Any

from redis import Redis
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import select

from store.crypto import Crypto
from store.db import Database
from store.models import SlackInstallation


def _key(enterprise_id: str | None, team_id: str | None) -> str:
    return f"{enterprise_id or '-'}:{team_id or '-'}"


class EncryptedInstallationStore(InstallationStore):
    """slack_sdk's InstallationStore over our table: one row per workspace or org, its data a Fernet token."""

    def __init__(self, db: Database, crypto: Crypto) -> None:
        self.db, self.crypto = db, crypto
        self._logger = logging.getLogger(__name__)

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def save(self, installation: Installation) -> None:
        data = json.dumps(installation.to_dict_for_copying(), default=_plain)
        team_id = None if installation.is_enterprise_install else installation.team_id
        key = _key(installation.enterprise_id, team_id)
        with self.db.session() as s:
            row = s.get(SlackInstallation, key) or SlackInstallation(key=key)
            row.team_id, row.enterprise_id = team_id, installation.enterprise_id
            row.data_enc = self.crypto.encrypt(data)
            s.add(row)

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        with self.db.session() as s:
            row = s.get(SlackInstallation, _key(enterprise_id, None if is_enterprise_install else team_id))
            if row is None and enterprise_id is None and team_id:  # a workspace of an Enterprise Grid org
                row = s.scalars(select(SlackInstallation).where(SlackInstallation.team_id == team_id)).first()
            if row is None:
                return None
            data: dict[str, Any] = json.loads(self.crypto.decrypt(row.data_enc))
        return Installation(**data)

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        found = self.find_installation(enterprise_id=enterprise_id, team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)
        return found.to_bot() if found and found.bot_token else None

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        with self.db.session() as s:
            row = s.get(SlackInstallation, _key(enterprise_id, team_id))
            if row is not None:
                s.delete(row)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def delete_team(self, team_id: str) -> int:
        """Every installation of the workspace (its own, or as a workspace of an org); returns how many."""
        with self.db.session() as s:
            rows = list(s.scalars(select(SlackInstallation).where(SlackInstallation.team_id == team_id)))
            for row in rows:
                s.delete(row)
        return len(rows)


class RedisStateStore(OAuthStateStore):
    """A state is a random value kept in Redis until used once or expired."""

    def __init__(self, redis: Redis, ttl: int) -> None:
        self.redis, self.ttl = redis, ttl
        self._logger = logging.getLogger(__name__)

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        self.redis.set(f"metaops:slack-oauth:{state}", 1, ex=self.ttl)
        return state

    def consume(self, state: str) -> bool:
        return bool(self.redis.delete(f"metaops:slack-oauth:{state}"))


def _plain(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else str(value)
