"""A candle backtest never imports web3, aiohttp or SQLAlchemy: the replay talks to no
node or API and keeps no database.

Why a test: ``import web3`` (even ``web3.exceptions``) loads the whole package, eth-account
and ENS included, about 0.4 s of a replay's start-up. Execution's error handling names
web3's exception classes only when an exception reaches it
(:mod:`claudedex.rpc.lazy_errors`); one top-level import anywhere on the replay's path
would bring the cost back, and this test names the module that did. The same holds for
aiohttp (70 ms): the chain reader, the relay and the HTTP API clients import it when they
first make a client or catch its error; and for SQLAlchemy (0.25 s with the models): a
replay's journal and audit trail are in memory (``builder._replay_storage``).

Nor does it import what only signing or a secrets store needs: rlp and eth-keys (a raw
transaction's encoding and signature recovery, :mod:`claudedex.wallet.txcodec`) and
cryptography (the store's AES-GCM, :mod:`claudedex.secrets.crypto`, reached through the
log scrubber); each is imported by the function that uses it, and a replay signs nothing
and opens no store. Nor eth-abi (17 ms with its grammar parser): execution lays out its
swaps itself (:func:`claudedex.execution.calls._swap`) and the safety probes, the only
other encoders, import it when they probe; a candle replay builds the analyzer but never
probes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.unit.backtest.test_fastpath import SMA_FILE, walk

SCRIPT = """
import json, sys
from pathlib import Path
from claudedex.backtest.replay import Backtest
from claudedex.market.candles import Candle
from tests.unit.backtest.helpers import profile

candles = [Candle(*row) for row in json.loads(Path(sys.argv[1]).read_text())]
bt = Backtest(profile("sma_cross"), strategy_file=Path(sys.argv[2]), candle_interval_s=300.0)
result = bt.run_candles({"ETH_USDT": candles}, 300.0)
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in ("web3", "aiohttp", "sqlalchemy", "aiosqlite",
                                       "rlp", "eth_keys", "cryptography", "eth_abi"))
print(json.dumps({"fills": len(result.fills), "loaded": loaded}))
"""


def test_a_candle_replay_imports_neither_web3_nor_aiohttp(tmp_path: Path) -> None:
    data = tmp_path / "candles.json"
    data.write_text(json.dumps([list(c) for c in walk(3000, seed=11)]))
    strategy = tmp_path / "sma_cross.py"
    strategy.write_text(SMA_FILE)
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(data), str(strategy)],
                          capture_output=True, text=True, cwd=root, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["fills"] > 0  # it traded: execution, the planner and the venue all ran
    assert out["loaded"] == [], ("imported on the replay path; see claudedex.rpc.lazy_errors "
                                 "and this module's docstring")
