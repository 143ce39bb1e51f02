"""The engine's SafetyAnalyzer keeps deployer history in the profile's database (the one
``claudedex scan --profile`` reads), not in its own memory: after a launch is judged, the
deployer's token and verdict are rows a second connection can read."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.engine import Engine
from claudedex.events import RiskAssessed
from claudedex.storage import Database
from claudedex.storage.repo_deployers import DeployerRepo

pytestmark = [pytest.mark.anvil, pytest.mark.slow]


async def test_engine_records_deployer_history_in_its_database(tmp_path: Path) -> None:
    profile = load_profile("devnet")
    assert profile.devnet is not None
    fast = profile.devnet.model_copy(update={"launch_rate_per_min": Decimal(30), "seed": 4})
    data = tmp_path / "devnet"
    engine = Engine(profile.model_copy(update={"devnet": fast}), data_dir=data)
    events = engine.events([RiskAssessed.topic], name="test")
    await engine.start()
    try:
        async with asyncio.timeout(150):
            while True:
                ev = await events.get()
                assert isinstance(ev, RiskAssessed)
                creator = next((f.evidence["creator"] for f in ev.report.findings
                                if f.code == "DEPLOYER" and "creator" in f.evidence), None)
                if creator:
                    report = ev.report
                    break
        chain_id = engine.profile.chain.chain_id
    finally:
        await engine.stop()
    async with Database(f"sqlite:///{data / 'claudedex.db'}") as db:
        seen = await DeployerRepo(db).tokens(chain_id, creator)
    assert report.token.lower() in seen
