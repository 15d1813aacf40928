"""Settings module for `rq worker -c metaops.rq_settings`: the app's Redis and queue."""

import sys

from metaops import defaults, settings
from metaops.delivery import inbox
from metaops.exceptions import ConfigError

try:
    REDIS_URL = inbox.redis_url(settings.load())
except ConfigError as e:
    sys.exit(f"metaops: {e}")
QUEUES = [defaults.QUEUE_NAME]
