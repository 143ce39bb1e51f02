"""Bad input through the real ``claudedex`` command: one line on stderr, exit 2 (or 1 for a
corrupt database, which is no operator typo), no traceback, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.core.cli_run import claudedex

ROOT = Path(__file__).resolve().parents[3]
DEVNET = (ROOT / "profiles" / "devnet.toml").read_text()


def profile_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in DEVNET
    path = tmp_path / "p.toml"
    path.write_text(DEVNET.replace(old, new))
    return path


# -- 1. a profile that is not UTF-8 text ----------------------------------------------------

def test_binary_profile_is_one_line(tmp_path: Path, _isolated_home: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(b'name = "x\xff\xfe"\n\x00\x81binary')
    claudedex("run", "--profile", str(path)).one_line(2, str(path), "UTF-8")
    assert list(_isolated_home.iterdir()) == []  # nothing created for it


# -- 2. a halt file that is not a halt record -------------------------------------------------

MALFORMED = ["[]", "null", '{"halted": "no"}', '{"reason": "x"}', "{not json", "\xff"]


def _halt_file(home: Path) -> Path:
    (home / "devnet").mkdir(exist_ok=True)
    return home / "devnet" / "halt.json"


@pytest.mark.parametrize("content", MALFORMED)
def test_malformed_halt_file_is_halted_and_resume_repairs_it(
        _isolated_home: Path, content: str) -> None:
    halt = _halt_file(_isolated_home)
    halt.write_bytes(content.encode("latin-1"))
    refused = claudedex("resume", input="no\n")
    refused.one_line(2, "confirmation did not match")
    assert "unreadable" in refused.stdout  # the prompt says why it counts as halted
    assert halt.read_bytes() == content.encode("latin-1")  # untouched without confirmation
    done = claudedex("resume", input="RESUME devnet\n")
    assert done.code == 0 and "RESUMED" in done.stdout, done.stderr
    assert json.loads(halt.read_text())["halted"] is False


@pytest.mark.parametrize("content", MALFORMED)
def test_halt_always_works_over_a_malformed_file(_isolated_home: Path, content: str) -> None:
    halt = _halt_file(_isolated_home)
    halt.write_bytes(content.encode("latin-1"))
    result = claudedex("halt", "--reason", "drill")
    assert result.code == 0 and "HALTED" in result.stdout, result.stderr
    assert json.loads(halt.read_text())["reason"] == "drill"


def test_halt_file_that_is_a_directory(_isolated_home: Path) -> None:
    halt = _halt_file(_isolated_home)
    (halt / "inner").mkdir(parents=True)
    assert claudedex("halt").code == 0
    assert json.loads(halt.read_text())["halted"] is True
    aside = [p for p in halt.parent.iterdir() if p.name.startswith("halt.json.unreadable-")]
    assert len(aside) == 1 and (aside[0] / "inner").is_dir()  # kept, not deleted
    halt.unlink()
    halt.mkdir()
    assert claudedex("resume", "--yes").code == 0
    assert json.loads(halt.read_text())["halted"] is False


# -- 3. a data dir that cannot be written -----------------------------------------------------

@pytest.mark.parametrize("command", [["halt"], ["resume", "--yes"], ["orders"],
                                     ["db", "upgrade"], ["run", "--duration", "1"],
                                     ["train", "--launches", "20"]])
def test_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             command: list[str]) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a directory")
    monkeypatch.setenv("CLAUDEDEX_HOME", str(home))
    claudedex(*command).one_line(2, str(home), "CLAUDEDEX_HOME")
    assert home.read_text() == "not a directory"


def test_data_dir_that_is_a_file(_isolated_home: Path) -> None:
    (_isolated_home / "devnet").write_text("")
    claudedex("halt").one_line(2, str(_isolated_home / "devnet"), "not a directory")


# -- 4. a corrupt database --------------------------------------------------------------------

@pytest.mark.parametrize("command", [["orders"], ["audit", "verify"], ["db", "upgrade"],
                                     ["db", "current"]])
def test_garbage_database_names_the_file(_isolated_home: Path, command: list[str]) -> None:
    db = _isolated_home / "devnet" / "claudedex.db"
    db.parent.mkdir()
    garbage = bytes(range(256)) * 20
    db.write_bytes(garbage)
    claudedex(*command).one_line(1, str(db), "not a SQLite database", "mv ",
                                 "claudedex db upgrade")
    assert db.read_bytes() == garbage  # never "repaired" behind the operator's back


def test_damaged_pages_name_the_file(_isolated_home: Path) -> None:
    assert claudedex("db", "upgrade").code == 0
    db = _isolated_home / "devnet" / "claudedex.db"
    data = bytearray(db.read_bytes())
    data[100:] = b"\xaa" * (len(data) - 100)  # header intact, every page trashed
    db.write_bytes(bytes(data))
    for command in (["orders"], ["db", "current"]):
        claudedex(*command).one_line(1, str(db), "corrupt", "claudedex db upgrade")


# -- 5. a profile name that would leave CLAUDEDEX_HOME ----------------------------------------

@pytest.mark.parametrize("name", ["../escape", "a/b", "", "..", "/abs", " padded"])
def test_profile_name_must_be_one_path_component(tmp_path: Path, _isolated_home: Path,
                                                 name: str) -> None:
    path = profile_with(tmp_path, 'name = "devnet"', f"name = {json.dumps(name)}")
    claudedex("halt", "--profile", str(path)).one_line(2, str(path), "key 'name'")
    assert list(_isolated_home.iterdir()) == []
    assert not (_isolated_home.parent / "escape").exists()


# -- 6. money, percentages, bps and strategy params -------------------------------------------

@pytest.mark.parametrize(("old", "new", "key"), [
    ('equity_quote = "5"', 'equity_quote = "5 ETH"', "strategy.params.equity_quote"),
    ('equity_quote = "5"', 'equity_quote = "-5"', "strategy.params.equity_quote"),
    ("ema_fast = 2", 'ema_fast = "fast"', "strategy.params.ema_fast"),
    ("stop_loss_pct = 25", "stop_loss_pct = 250", "strategy.params.stop_loss_pct"),
    ("cooldown_s = 20", "cooldown_z = 20", "strategy.params.cooldown_z"),
    ('max_trade_quote = "0.5"', 'max_trade_quote = "0"', "limits.max_trade_quote"),
    ('daily_cap_quote = "5"', 'daily_cap_quote = "-1"', "limits.daily_cap_quote"),
    ('max_token_exposure_pct = "25"', 'max_token_exposure_pct = "0"',
     "limits.max_token_exposure_pct"),
    ('max_drawdown_pct = "30"', 'max_drawdown_pct = "101"', "limits.max_drawdown_pct"),
    ("max_slippage_bps = 300", "max_slippage_bps = 20000", "limits.max_slippage_bps"),
    ('auto_approve_below_quote = "0"', 'auto_approve_below_quote = "-1"',
     "approvals.auto_approve_below_quote"),
])
def test_profile_values_out_of_bounds(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = profile_with(tmp_path, old, new)
    claudedex("run", "--profile", str(path)).one_line(2, str(path), key)


def test_backtest_param_override_is_checked_too(tmp_path: Path) -> None:
    from claudedex.backtest.sample import write_sample

    data = write_sample(tmp_path / "h.jsonl", swaps=50)
    claudedex("backtest", "--data", str(data), "--strategy", "momentum",
              "--param", "equity_quote=5 ETH").one_line(2, "equity_quote", "decimal")
