"""Test helpers, by what they help with:

- `meta`: Meta's payloads (WhatsApp Cloud API shapes, the payload files in tests/fixtures/meta/) and signed webhooks
- `slack`: requests signed as Slack signs them: slash commands, interactivity, Events API
- `seeding`: connections stored or made through the connect flow, a customer thread that exists
- `workers`: the worker and the clock in the test's process, the jobs in Redis, the Procfile's lines as processes
- `servers`: a redis-server and a PostgreSQL server of a test's own, free ports
- `bursts`: bursts of customer texts and reading them back from Slack's posts

Every helper is also importable from `tests.helpers` itself, as the tests and benches import them."""

from tests.constants import APP_SECRET, DISPLAY, FIXTURES, PHONE_ID, ROOT, SIGNING_SECRET, WABA
from tests.helpers.bursts import TEXT_WORD, burst, by_customer, texts
from tests.helpers.meta import batch, fixture, post_webhook, post_webhook_raw, wa_message, wa_payload
from tests.helpers.seeding import (
    CODES,
    connect,
    connect_page,
    connect_url,
    connect_whatsapp,
    customer_thread,
    messaging_thread,
    oauth_callback,
    open_connect,
    shown_code,
    start_state,
    state_of,
)
from tests.helpers.servers import PrivatePostgres, RedisServer, free_port, redis_server_binary
from tests.helpers.slack import interact, later, post_event, slack_event, slack_fixture, slack_headers, slash_command
from tests.helpers.workers import (
    assert_jobs_json,
    clear_inbox,
    clock_command,
    job_call,
    procfile,
    run_due_scheduled,
    run_worker,
    start_procfile_web,
    stored_events,
    until,
    until_delivered,
    waiting_job_ids,
    worker_command,
    worker_env,
)

__all__ = [
    "APP_SECRET", "DISPLAY", "FIXTURES", "PHONE_ID", "ROOT", "SIGNING_SECRET", "WABA",
    "TEXT_WORD", "burst", "by_customer", "texts",
    "batch", "fixture", "post_webhook", "post_webhook_raw", "wa_message", "wa_payload",
    "CODES", "connect", "connect_page", "connect_url", "connect_whatsapp", "customer_thread", "messaging_thread",
    "oauth_callback", "open_connect", "shown_code", "start_state", "state_of",
    "PrivatePostgres", "RedisServer", "free_port", "redis_server_binary",
    "interact", "later", "post_event", "slack_event", "slack_fixture", "slack_headers", "slash_command",
    "assert_jobs_json", "clear_inbox", "clock_command", "job_call", "procfile", "run_due_scheduled", "run_worker",
    "start_procfile_web", "stored_events", "until", "until_delivered", "waiting_job_ids", "worker_command",
    "worker_env",
]
