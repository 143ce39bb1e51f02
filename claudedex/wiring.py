"""Builds the engine's components from its profile (the one place that knows them all).

Why one place: each subsystem stays ignorant of the others; only here is it decided which
discovery sources, checks, strategies, venues and signer a profile runs with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudedex.engine import Engine


async def wire_components(engine: Engine) -> None:
    """Add the profile's components to the engine's supervisor."""
    return None
