"""Values the tests share: the secrets the app is configured with, Meta's ids, the repository root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = Path(__file__).resolve().parent / "fixtures"

TEST_PG_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
SIGNING_SECRET = "test-slack-signing-secret"
APP_SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-verify-token"

# The WhatsApp Business Account and phone number of the connected workspace (also the Graph fake's).
WABA = "102290129340398"
PHONE_ID = "106540352242922"
DISPLAY = "15550783881"
