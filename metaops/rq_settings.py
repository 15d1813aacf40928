"""Settings module for `rq worker -c metaops.rq_settings`: the app's Redis and queue."""

import sys

from metaops import defaults, settings
from metaops.exceptions import ConfigError
from metaops.queue import connection

try:
    REDIS_URL = connection.redis_url(settings.load())
except ConfigError as e:
    sys.exit(f"metaops: {e}")
QUEUES = [defaults.QUEUE_NAME]
