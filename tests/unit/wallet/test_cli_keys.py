"""``claudedex keys new|import|list`` through Typer, with the devnet profile's data dir."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from claudedex.errors import UserInputError
from claudedex.wallet import keystore as ks
from claudedex.wallet.sim.samples import TEST_ADDRESS, TEST_KEY
from cli import keys as keys_cli

PASSWORD = "a long enough password"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setattr(ks, "DEFAULT_SCRYPT_N", 2**4)  # fast scrypt for tests only
    monkeypatch.setenv("TEST_KS_PW", PASSWORD)
    root = typer.Typer()
    root.command("noop")(lambda: None)  # a second command keeps `keys` a sub-group
    keys_cli.register(root)
    return root


def test_import_from_stdin_then_list(app: typer.Typer, _isolated_home: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["keys", "import", "--password-env", "TEST_KS_PW"], input="0x" + TEST_KEY.hex() + "\n"
    )
    assert result.exit_code == 0, result.output
    assert TEST_ADDRESS in result.output
    assert TEST_KEY.hex() not in result.output
    files = list((_isolated_home / "devnet" / "keystores").glob("*.json"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    listed = runner.invoke(app, ["keys", "list", "--json"])
    assert listed.exit_code == 0
    assert json.loads(listed.output.strip()) == {"address": TEST_ADDRESS, "path": str(files[0])}


def test_new_into_dir(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["keys", "new", "--dir", str(tmp_path / "k"), "--password-env", "TEST_KS_PW"]
    )
    assert result.exit_code == 0, result.output
    address = result.output.split()[0]
    assert [e.address for e in ks.list_keystores(tmp_path / "k")] == [address]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["import", "--password-env", "TEST_KS_PW"], "not a key\n", "64 hex"),
        (["import", "--password-env", "TEST_KS_PW"], "\n", "no private key"),
        (["import"], "0x" + TEST_KEY.hex() + "\n", "--password-env"),
        (["new"], "", "no terminal"),
        (["list", "--profile", "no-such-profile"], "", "not found"),
    ],
)
def test_bad_input_is_user_input_error(
    app: typer.Typer, args: list[str], stdin: str, message: str
) -> None:
    result = CliRunner().invoke(app, ["keys", *args], input=stdin)
    assert isinstance(result.exception, UserInputError)
    assert message in str(result.exception)
    assert TEST_KEY.hex() not in str(result.exception) + result.output
