"""Tokens are encrypted at rest with MultiFernet; rotation re-encrypts with the first key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from store.crypto import Crypto, rotate_all
from store.models import MetaConnection
from tests.constants import ROOT
from tests.helpers import connect_whatsapp

# Both databases: rotation rewrites the stored secrets in place, and each database's own storage is searched for a
# plaintext token.
pytestmark = pytest.mark.both_databases

TOKEN = "EAAGm0PX4ZCpsBAKZAyplaintexttoken"


def test_round_trip_and_wrong_key():
    crypto = Crypto([Fernet.generate_key()])
    sealed = crypto.encrypt(TOKEN)
    assert TOKEN not in sealed and crypto.decrypt(sealed) == TOKEN
    with pytest.raises(InvalidToken):
        Crypto([Fernet.generate_key()]).decrypt(sealed)


def test_stored_token_is_not_plaintext_in_the_database(rt, database_url):
    connect_whatsapp(rt, token=TOKEN)
    with rt.db.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM meta_connections")) for v in row)
    assert TOKEN not in dump
    if database_url.startswith("sqlite:///"):
        rt.db.dispose()
        raw = b"".join(p.read_bytes() for p in Path(database_url[10:]).parent.glob("metaops.db*"))
        assert TOKEN.encode() not in raw and b"EAAGm0" not in raw


def test_rotation_re_encrypts_with_the_first_key(rt):
    connect_whatsapp(rt, token=TOKEN)
    old_key = rt.settings.encryption_keys[0]
    new_key = Fernet.generate_key()
    both = Crypto([new_key, old_key])
    with rt.db.session() as s:
        assert rotate_all(s, both) == 1
    only_new = Crypto([new_key])
    with rt.db.session() as s:
        sealed = s.scalars(select(MetaConnection.token_enc)).one()
    assert only_new.decrypt(sealed) == TOKEN
    with pytest.raises(InvalidToken):
        Crypto([old_key]).decrypt(sealed)


def test_rotate_keys_command(rt, config, tmp_path):
    connect_whatsapp(rt, token=TOKEN)
    new_key = Fernet.generate_key().decode()
    env = {**{k: str(v) for k, v in config.items()}, "ENCRYPTION_KEYS": f"{new_key},{config['ENCRYPTION_KEYS']}",
           "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "metaops.wsgi", "rotate-keys"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "re-encrypted 1 secret" in r.stdout
    with rt.db.session() as s:
        sealed = s.scalars(select(MetaConnection.token_enc)).one()
    assert Crypto([new_key.encode()]).decrypt(sealed) == TOKEN
