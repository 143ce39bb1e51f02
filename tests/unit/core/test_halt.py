"""The halt file is atomic and fails safe."""

from __future__ import annotations

from pathlib import Path

from claudedex.halt import HaltSwitch


def test_corrupt_halt_file_means_halted(tmp_path: Path) -> None:
    path = tmp_path / "halt.json"
    path.write_text("{not json")
    assert HaltSwitch(path).is_halted()


def test_set_writes_no_temp_leftovers(tmp_path: Path) -> None:
    switch = HaltSwitch(tmp_path / "halt.json")
    assert not switch.is_halted()
    switch.set(True, "r", "me")
    assert [p.name for p in tmp_path.glob("halt*")] == ["halt.json"]
    assert HaltSwitch(tmp_path / "halt.json").state.by == "me"


def test_halt_written_by_another_process_is_seen(tmp_path: Path) -> None:
    engine_side = HaltSwitch(tmp_path / "halt.json")
    assert not engine_side.is_halted()
    HaltSwitch(tmp_path / "halt.json").set(True, "from cli", "cli")
    assert engine_side.is_halted()
    assert engine_side.state.reason == "from cli"
