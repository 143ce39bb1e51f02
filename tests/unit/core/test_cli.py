"""The command line: every group the architecture names is listed, bad input exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GROUPS = ["run", "backtest", "devnet", "scan", "trade", "orders", "train", "db", "keys",
          "audit", "halt", "resume"]


def claudedex(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    if env_home is not None:
        env["CLAUDEDEX_HOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_every_command_group() -> None:
    result = claudedex("--help")
    assert result.returncode == 0, result.stderr
    for group in GROUPS:
        assert f" {group} " in result.stdout, group


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys, runpy; sys.argv=['claudedex','--help']\n"
            "try:\n    runpy.run_module('cli.main', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "heavy=[m for m in ('tensorflow','xgboost','lightgbm','sklearn','web3','textual',"
            "'sqlalchemy','torch') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_bad_profile_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nmode = "devnet"\nbogus = 1\n[chain]\nchain_id = 1\nname = "c"\n')
    result = claudedex("halt", "--profile", str(bad), env_home=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bogus" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.stderr
