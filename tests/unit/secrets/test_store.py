"""The secrets store: AES-256-GCM per value, bound to its name, 0600, rotated atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claudedex.secrets.crypto import Kdf, StoreKey
from claudedex.secrets.store import SecretsError, open_store, store_path
from claudedex.security.files import mode_of

VALUE = "https://user:hunter2-very-secret@rpc.example/v3/abc"


def pw(text: str):  # noqa: ANN201 - a passphrase source
    return lambda: text


def test_set_get_list_and_the_file_holds_no_value(tmp_path: Path) -> None:
    store = open_store(tmp_path, passphrase=pw("correct horse"), create=True)
    store.set("rpc", VALUE)
    store.set("rpc-copy", VALUE)
    path = store_path(tmp_path)
    raw = path.read_text()
    assert mode_of(path) == 0o600
    assert "hunter2" not in raw and VALUE not in raw
    doc = json.loads(raw)
    boxes = doc["secrets"]
    assert boxes["rpc"]["nonce"] != boxes["rpc-copy"]["nonce"]  # a fresh nonce per value
    assert len(bytes.fromhex(boxes["rpc"]["nonce"])) == 12
    again = open_store(tmp_path, passphrase=pw("correct horse"))
    assert again.names() == ["rpc", "rpc-copy"] and again.get("rpc") == VALUE


def test_a_wrong_passphrase_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path, passphrase=pw("right"), create=True).set("k", "value-1234")
    with pytest.raises(SecretsError, match="wrong passphrase"):
        open_store(tmp_path, passphrase=pw("wrong"))


def test_a_value_moved_to_another_name_does_not_decrypt(tmp_path: Path) -> None:
    store = open_store(tmp_path, passphrase=pw("p"), create=True)
    store.set("jwt", "a" * 64)
    store.set("audit", "b" * 64)
    path = store_path(tmp_path)
    doc = json.loads(path.read_text())
    doc["secrets"]["audit"] = doc["secrets"]["jwt"]  # the name is the associated data
    path.write_text(json.dumps(doc))
    moved = open_store(tmp_path, passphrase=pw("p"))
    assert moved.get("jwt") == "a" * 64
    with pytest.raises(SecretsError, match="does not decrypt"):
        moved.get("audit")


def test_rotate_re_encrypts_under_the_new_passphrase(tmp_path: Path) -> None:
    store = open_store(tmp_path, passphrase=pw("old"), create=True)
    store.set("one", "first-value")
    store.set("two", "second-value")
    before = json.loads(store_path(tmp_path).read_text())
    kdf = Kdf.fresh_scrypt()
    assert store.rotate(kdf, StoreKey.from_passphrase("new", kdf)) == 2
    after = json.loads(store_path(tmp_path).read_text())
    assert after["kdf"]["salt"] != before["kdf"]["salt"]
    assert after["secrets"]["one"]["ct"] != before["secrets"]["one"]["ct"]
    with pytest.raises(SecretsError):
        open_store(tmp_path, passphrase=pw("old"))
    rotated = open_store(tmp_path, passphrase=pw("new"))
    assert rotated.get("one") == "first-value" and rotated.get("two") == "second-value"
    assert mode_of(store_path(tmp_path)) == 0o600
    assert not list(tmp_path.glob(".secrets.enc-*"))  # no temp file left behind


def test_missing_damaged_and_badly_named(tmp_path: Path) -> None:
    with pytest.raises(SecretsError, match="no secrets store"):
        open_store(tmp_path, passphrase=pw("p"))
    store = open_store(tmp_path, passphrase=pw("p"), create=True)
    for bad in ("", "../x", "a b", "x" * 65, "-lead"):
        with pytest.raises(SecretsError, match="secret name"):
            store.set(bad, "value")
    with pytest.raises(SecretsError, match="empty value"):
        store.set("ok", "")
    store.set("ok", "value")
    with pytest.raises(SecretsError, match="no secret named"):
        store.get("absent")
    store_path(tmp_path).write_text("{not json")
    with pytest.raises(SecretsError, match="damaged"):
        open_store(tmp_path, passphrase=pw("p"))


def test_a_locked_store_says_which_variable_unlocks_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(tmp_path, passphrase=pw("p"), create=True).set("k", "value")
    monkeypatch.delenv("CLAUDEDEX_SECRETS_PASSPHRASE", raising=False)
    with pytest.raises(SecretsError, match="CLAUDEDEX_SECRETS_PASSPHRASE"):
        open_store(tmp_path)  # no terminal under pytest: no prompt
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "p")
    assert open_store(tmp_path).get("k") == "value"


def test_rotating_an_edited_store_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path, passphrase=pw("old"), create=True)
    store.set("one", "first-value")
    doc = json.loads(store_path(tmp_path).read_text())
    doc["secrets"]["one"]["ct"] = "00" * 32
    store_path(tmp_path).write_text(json.dumps(doc))
    before = store_path(tmp_path).read_bytes()
    kdf = Kdf.fresh_scrypt()
    with pytest.raises(SecretsError, match="does not decrypt.*nothing was rotated"):
        open_store(tmp_path, passphrase=pw("old")).rotate(kdf, StoreKey.from_passphrase("n", kdf))
    assert store_path(tmp_path).read_bytes() == before


def test_a_value_that_is_not_utf8_text_is_refused_with_one_line(tmp_path: Path) -> None:
    # `secrets set --from-stdin` decodes bad bytes to surrogates; before: a traceback
    store = open_store(tmp_path, passphrase=pw("p"), create=True)
    with pytest.raises(SecretsError, match="not UTF-8 text"):
        store.set("bin", "\udcff\udcfeabc")
    assert not store_path(tmp_path).exists()  # nothing written
