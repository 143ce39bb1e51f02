"""`claudedex halt` / `resume`: persisted flag, typed confirmation."""

from __future__ import annotations

from typer.testing import CliRunner

from claudedex.halt import HaltSwitch
from claudedex.paths import data_dir
from cli.main import app


def switch() -> HaltSwitch:
    return HaltSwitch(data_dir("devnet") / "halt.json")


def test_halt_then_resume_with_typed_confirmation() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["halt", "--profile", "devnet", "--reason", "drill"])
    assert res.exit_code == 0 and "HALTED" in res.output
    assert switch().is_halted() and switch().state.reason == "drill"
    res = runner.invoke(app, ["resume", "--profile", "devnet"], input="resume please\n")
    assert res.exit_code != 0
    assert switch().is_halted()
    res = runner.invoke(app, ["resume", "--profile", "devnet"], input="RESUME devnet\n")
    assert res.exit_code == 0 and "RESUMED" in res.output
    assert not switch().is_halted()


def test_resume_yes_skips_the_prompt() -> None:
    runner = CliRunner()
    runner.invoke(app, ["halt"])
    res = runner.invoke(app, ["resume", "--yes"])
    assert res.exit_code == 0 and not switch().is_halted()
