"""What a run records is what the backtest replays: the recorder's file round-trips."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from claudedex.backtest.data import swap_events
from claudedex.backtest.recorder import HistoryRecorder
from claudedex.bus import EventBus
from claudedex.domain import PairInfo, RiskReport, Verdict
from claudedex.events import PairDiscovered, PriceTicked, RiskAssessed

ROOT = Path(__file__).resolve().parents[3]


async def record(path: Path) -> list[object]:
    bus = EventBus()
    recorder = HistoryRecorder(bus, path)
    task = asyncio.create_task(recorder.run())
    await asyncio.sleep(0)
    sent: list[object] = []
    info = PairInfo(chain_id=31337, venue="uniswap", pair="0xpair", token="0xtoken",
                    quote="0xweth", block_number=1, symbol="TKN")
    await bus.publish(PairDiscovered(pair=info, ts=1000.0))
    await bus.publish(PriceTicked(pair="0xelse", reserve_token=1, reserve_quote=1,
                                  block_number=1, ts=1000.5))  # unknown pair: not recorded
    await bus.publish(RiskAssessed(report=RiskReport(token="0xtoken", pair="0xpair",
                                                     verdict=Verdict.SAFE, findings=(),
                                                     sell_tax_bps=120, block_number=2),
                                   ts=1001.0))
    for i in range(120):
        reserve_quote = 10**19 + i * 10**16 * (1 if i % 7 else -3)
        tick = PriceTicked(pair="0xpair", reserve_token=2**200 - i * 10**30,
                           reserve_quote=reserve_quote, block_number=3 + i, ts=1002.0 + i)
        sent.append(tick)
        await bus.publish(tick)
        await asyncio.sleep(0)  # coalescing topic: let the recorder take each tick
    await asyncio.sleep(0.05)
    task.cancel()
    return sent


async def test_recorded_history_replays_exactly(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    sent = await record(path)
    events = list(swap_events(path, chain_id=31337))
    ticks = [e for e in events if isinstance(e, PriceTicked)]
    assert [(t.pair, t.reserve_token, t.reserve_quote, t.block_number) for t in ticks] == [
        (t.pair, t.reserve_token, t.reserve_quote, t.block_number) for t in sent
        if isinstance(t, PriceTicked)]
    reports = [e for e in events if isinstance(e, RiskAssessed)]
    assert reports[0].report.verdict is Verdict.SAFE and reports[0].report.sell_tax_bps == 120
    discovered = [e for e in events if isinstance(e, PairDiscovered)]
    assert [d.pair.token for d in discovered] == ["0xtoken"]


async def test_backtest_command_runs_on_a_recorded_history(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    await record(path)
    out = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli.main", "backtest", "--data", str(path),
                         "--strategy", "momentum", "--json"], cwd=ROOT, capture_output=True,
        text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert "total_return" in json.dumps(report)
