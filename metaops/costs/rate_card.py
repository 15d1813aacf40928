"""The rate card: what Meta charges per delivered message, by market, category and currency (rate_card.csv, or the
operator's own file in METAOPS_RATE_CARD). Its `#` lines say where the rates come from and when they were checked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from metaops.costs.countries import read_rows

SHIPPED = Path(__file__).with_name("rate_card.csv")
CATEGORIES = ("marketing", "utility", "authentication", "authentication_international", "service")


@dataclass(frozen=True)
class RateCard:
    rates: dict[tuple[str, str], tuple[str, Decimal]]  # (market, category) -> (currency, price per message)
    source: str  # the card's comment lines: its source and date

    def rate(self, market: str | None, category: str) -> tuple[str, Decimal] | None:
        return self.rates.get((market, category)) if market else None


def path() -> Path:
    return Path(os.environ.get("METAOPS_RATE_CARD") or SHIPPED)


def load(card: Path | None = None) -> RateCard:
    """The rate card in force (the shipped one unless METAOPS_RATE_CARD names another)."""
    card = card or path()
    return _load(card, card.stat().st_mtime)


@lru_cache(maxsize=4)
def _load(card: Path, _mtime: float) -> RateCard:  # read again when the operator changes the file
    rates: dict[tuple[str, str], tuple[str, Decimal]] = {}
    for row in read_rows(card):
        for category in CATEGORIES:
            price = _price(row.get(category))
            if price is not None:
                rates[(row["market"], category)] = (row["currency"], price)
    with card.open(encoding="utf-8") as f:
        source = " ".join(line.lstrip("# ").strip() for line in f if line.startswith("#"))
    return RateCard(rates, source)


def _price(cell: str | None) -> Decimal | None:
    try:
        return Decimal(cell.strip()) if cell and cell.strip() else None
    except InvalidOperation:
        return None
