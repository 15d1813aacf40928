"""What Slack's side can refuse, as exceptions the delivery code can act on."""


class SlackRateLimited(Exception):
    """Slack answered 429. `retry_after`: Slack's Retry-After in seconds, None when it gave none."""

    def __init__(self, retry_after: int | None, channel: str | None = None) -> None:
        super().__init__(f"Slack rate limited; retry after {retry_after if retry_after is not None else '?'}s")
        self.retry_after = retry_after
        self.channel = channel  # the channel the refused call was for, when it named one

    def wait(self, fallback: int, longest: int) -> int:
        """Seconds to wait: Slack's Retry-After capped at `longest`, or `fallback` when Slack gave none."""
        return fallback if self.retry_after is None else min(self.retry_after, longest)


class NoChannel(Exception):
    """A post has nowhere to go: no route and no connect channel, or the app is not installed in the workspace."""
