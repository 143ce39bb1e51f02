"""Risk: eight named factors, sizing, limits and the drawdown breaker."""

from claudedex.risk.breaker import Breaker
from claudedex.risk.context import RiskContext, RiskSettings
from claudedex.risk.factors import FACTORS, assess
from claudedex.risk.manager import Assessment, RiskManager, settings_from_profile

__all__ = [
    "FACTORS",
    "Assessment",
    "Breaker",
    "RiskContext",
    "RiskManager",
    "RiskSettings",
    "assess",
    "settings_from_profile",
]
