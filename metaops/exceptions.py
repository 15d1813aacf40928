"""The app's own exceptions."""


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class SlackRateLimited(Exception):
    """Slack answered 429: the work must be retried after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Slack rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


class NoChannel(Exception):
    """A notification has no channel to go to (no route and no connect channel)."""


class NotConnected(Exception):
    """The workspace has no working Meta connection; the message says what to do."""


class NotAllowed(Exception):
    """The user may not change this; the message says who may."""
