"""What the store tests share."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine


@pytest.fixture
def engine(database_url):
    """An engine on the test's migrated database."""
    e = create_engine(database_url)
    yield e
    e.dispose()
