"""After a breaker halt and the operator's resume, the breaker protects from the new level."""

from __future__ import annotations

from decimal import Decimal

from claudedex.config import load_profile
from claudedex.risk.breaker import Breaker
from claudedex.risk.manager import settings_from_profile

ETH = 10**18


def breaker() -> Breaker:
    profile = load_profile("devnet")
    limits = profile.limits.model_copy(update={"max_drawdown_pct": Decimal(20),
                                               "daily_loss_limit_quote": Decimal(100)})
    return Breaker(settings_from_profile(profile.model_copy(update={"limits": limits})))


def test_rearmed_breaker_trips_again_on_a_further_drawdown() -> None:
    b = breaker()
    assert b.observe(10 * ETH, 0.0) == ""
    assert "drawdown" in b.observe(8 * ETH, 1.0)
    assert b.observe(5 * ETH, 2.0) == ""  # tripped once; the engine is halted
    b.rearm(5 * ETH)
    assert b.observe(5 * ETH, 3.0) == ""  # not at once: exits must still be possible
    assert b.observe(4 * ETH + ETH // 10, 4.0) == ""  # 18 % below the new peak
    assert "drawdown" in b.observe(4 * ETH, 5.0)  # 20 % below the new peak
