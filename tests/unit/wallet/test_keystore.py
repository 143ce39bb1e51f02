"""Keystores: scrypt v3 files, 0600, atomic and never overwritten, keys never echoed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from eth_account import Account

from claudedex.errors import UserInputError
from claudedex.wallet import keystore as ks
from claudedex.wallet.sim.samples import TEST_ADDRESS, TEST_KEY, eip1559, reference

N = 2**4  # tiny scrypt work factor: these tests check format and handling, not strength
PASSWORD = "correct horse battery"


def test_import_writes_a_scrypt_v3_file_with_mode_0600(tmp_path: Path) -> None:
    directory = tmp_path / "keystores"
    entry = ks.write_keystore(directory, TEST_KEY, PASSWORD, scrypt_n=N)
    assert entry.address == TEST_ADDRESS
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    document = json.loads(entry.path.read_text())
    assert document["version"] == 3 and document["crypto"]["kdf"] == "scrypt"
    assert TEST_KEY.hex() not in entry.path.read_text()
    assert [p.name for p in directory.iterdir()] == [entry.path.name]  # no temp file left
    assert bytes(Account.decrypt(document, PASSWORD)) == TEST_KEY


async def test_unlock_signs_like_eth_account(tmp_path: Path) -> None:
    entry = ks.write_keystore(tmp_path / "ks", TEST_KEY, PASSWORD, scrypt_n=N)
    signer = ks.unlock(entry.path, PASSWORD)
    assert signer.kind == "keystore" and signer.address == TEST_ADDRESS
    assert await signer.sign_transaction(eip1559()) == reference(eip1559())
    assert TEST_KEY.hex() not in repr(signer)


def test_wrong_password_is_user_input_error(tmp_path: Path) -> None:
    entry = ks.write_keystore(tmp_path / "ks", TEST_KEY, PASSWORD, scrypt_n=N)
    with pytest.raises(UserInputError, match="wrong password"):
        ks.unlock(entry.path, "not the password")


def test_same_address_is_never_written_twice(tmp_path: Path) -> None:
    ks.write_keystore(tmp_path / "ks", TEST_KEY, PASSWORD, scrypt_n=N)
    with pytest.raises(UserInputError, match="already exists"):
        ks.write_keystore(tmp_path / "ks", TEST_KEY, PASSWORD, scrypt_n=N)
    assert len(list((tmp_path / "ks").iterdir())) == 1


def test_new_and_list(tmp_path: Path) -> None:
    a = ks.new_keystore(tmp_path, PASSWORD, scrypt_n=N)
    b = ks.write_keystore(tmp_path, TEST_KEY, PASSWORD, scrypt_n=N)
    (tmp_path / "junk.json").write_text("{not json")
    listed = ks.list_keystores(tmp_path)
    assert {e.address for e in listed} == {a.address, b.address}
    assert ks.list_keystores(tmp_path / "missing") == []


@pytest.mark.parametrize("text", ["", "zz" * 32, "ab" * 31, "00" * 32, "ff" * 32, "0x" + "11" * 33])
def test_bad_private_keys_are_refused_without_echo(text: str) -> None:
    with pytest.raises(UserInputError) as info:
        ks.parse_private_key(text)
    assert not text or text not in str(info.value)


def test_private_key_forms() -> None:
    assert ks.parse_private_key("0x" + TEST_KEY.hex() + "\n") == TEST_KEY
    assert ks.parse_private_key(TEST_KEY.hex().upper()) == TEST_KEY


def test_short_password_refused(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="at least"):
        ks.write_keystore(tmp_path, TEST_KEY, "short", scrypt_n=N)


def test_password_from_env_or_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KS_PW", PASSWORD)
    assert ks.read_password(env_name="KS_PW") == PASSWORD
    answers = iter(["one password", "another one"])
    with pytest.raises(UserInputError, match="differ"):
        ks.read_password(confirm=True, getpass_fn=lambda _p: next(answers))


def test_resolve_keystore(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no keystore"):
        ks.resolve_keystore(tmp_path, "")
    entry = ks.write_keystore(tmp_path, TEST_KEY, PASSWORD, scrypt_n=N)
    assert ks.resolve_keystore(tmp_path, "") == entry.path
    assert ks.resolve_keystore(tmp_path, entry.path.name) == entry.path
    ks.new_keystore(tmp_path, PASSWORD, scrypt_n=N)
    with pytest.raises(UserInputError, match="keystore_path"):
        ks.resolve_keystore(tmp_path, "")
    with pytest.raises(UserInputError, match="not found"):
        ks.resolve_keystore(tmp_path, "nope.json")
