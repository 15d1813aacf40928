"""Gunicorn's entry point (`metaops.wsgi:app`): a missing setting stops the process with one line."""

import sys

from metaops import create_app
from metaops.exceptions import ConfigError

try:
    app = create_app()
except ConfigError as e:
    sys.stderr.write(f"metaops: {e}\n")
    sys.exit(4)  # gunicorn's "app failed to load": the master stops instead of respawning workers
