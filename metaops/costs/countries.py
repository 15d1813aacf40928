"""A WhatsApp number's country and rate card market, from its country calling code (calling_codes.csv): Meta bills a
message by the recipient's calling code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CALLING_CODES = Path(__file__).with_name("calling_codes.csv")


@dataclass(frozen=True)
class Country:
    code: str  # the calling code, digits
    iso: str  # ISO 3166-1 alpha-2
    market: str | None  # the rate card market, None when the shipped card has none for it


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of one of these CSV files: `#` lines are comments (source, date), the first other line the header."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@lru_cache(maxsize=4)
def _table(path: Path = CALLING_CODES) -> dict[str, Country]:
    return {r["code"]: Country(r["code"], r["country"], r["market"] or None) for r in read_rows(path)}


def country_of(phone: str, path: Path = CALLING_CODES) -> Country | None:
    """The country of an international number (digits, no +), by its longest known calling code; None if unknown."""
    table = _table(path)
    for length in (4, 3, 2, 1):
        found = table.get(phone[:length])
        if found is not None:
            return found
    return None
