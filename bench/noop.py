"""The no-op job of the baseline in bench/drain.py."""


def noop(_: int) -> None:
    return None
