"""A devnet engine serving the control API: the execution tests' anvil chain (WETH, both
venues, a plain token), the engine built on it with ``[api] enabled`` on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.integration.execution.conftest import chain  # noqa: F401 - the module's anvil
from tests.integration.execution.test_cli_trade import write_manifest

PASSPHRASE = "api integration passphrase"


@pytest.fixture
def api_engine(chain: Any,  # noqa: F811 - the fixture imported above
               monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``async with api_engine(**api_settings) as engine``: a started engine whose
    ``engine.api`` serves on ``engine.api.url``."""
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", PASSPHRASE)

    @asynccontextmanager
    async def start(**api: Any) -> AsyncIterator[Any]:
        from claudedex.config import load_profile
        from claudedex.engine import Engine
        from claudedex.kernel import BuildOptions
        from claudedex.paths import data_dir

        write_manifest(chain, next(chain.accounts))
        profile = load_profile("devnet")
        # polling reads (a fill reaching the portfolio) stay far below this unless a test
        # floods on purpose with a lower limit of its own
        settings = profile.api.model_copy(update={"enabled": True, "port": 0,
                                                  "requests_per_min": 6000, **api})
        profile = profile.model_copy(update={"api": settings})
        engine = Engine(profile, data_dir=data_dir("devnet"),
                        options=BuildOptions(feeds=False, start_devnet=False))
        await engine.start()
        try:
            yield engine
        finally:
            await engine.stop()

    return start
