"""The rate card and the estimate before a send (issue 23, point 1)."""

from __future__ import annotations

from decimal import Decimal

from metaops.costs import rate_card
from metaops.costs.countries import country_of
from metaops.costs.estimate import estimate


def test_country_from_the_longest_calling_code():
    assert country_of("12685551234").iso == "AG"  # +1 268 before +1
    assert country_of("15551234567").iso == "US"
    assert country_of("5491155551234").market == "Argentina"
    assert country_of("99912345") is None


def test_shipped_card_says_its_source_and_date():
    card = rate_card.load()
    assert "2025-07-01" in card.source and "Checked: 2026-12-07" in card.source
    assert card.rate("Argentina", "marketing") == ("USD", Decimal("0.0618"))
    assert card.rate("Argentina", "authentication_international") is None


def test_estimate_counts_paid_cost_and_unknown():
    e = estimate("MARKETING", ["5491155551234", "5491155551235", "4312345678", "15551234567", None])
    assert (e.paid, e.free, e.unknown) == (3, 0, 2)
    assert e.cost == {"USD": Decimal("0.0618") * 2 + Decimal("0.0592")}
    assert e.countries == {"AR": 2, "AT": 1, "US": 1}


def test_service_is_free_and_the_operators_card_is_read(tmp_path, monkeypatch):
    assert estimate("service", ["5491155551234"]).free == 1
    own = tmp_path / "card.csv"
    own.write_text("# mine, 2026-12-01\nmarket,currency,marketing,utility,authentication,"
                   "authentication_international,service\nArgentina,ARS,70,30,30,,0\n", encoding="utf-8")
    monkeypatch.setenv("METAOPS_RATE_CARD", str(own))
    e = estimate("UTILITY", ["5491155551234"])
    assert e.cost == {"ARS": Decimal(30)} and rate_card.load().source == "mine, 2026-12-01"
