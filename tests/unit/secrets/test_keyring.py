"""The store's key in the OS keyring (``keyring``; the tests' keyring is keyrings.alt's
file backend, in a temp dir): no passphrase needed, nothing of the key in the store, and
a machine without a keyring is told so in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from keyrings.alt.file import PlaintextKeyring

from claudedex.secrets.crypto import Kdf, StoreKey
from claudedex.secrets.store import KEYRING_SERVICE, SecretsError, open_store, store_path


@pytest.fixture
def ring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CLAUDEDEX_SECRETS_PASSPHRASE", raising=False)
    before = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


def test_a_keyring_keyed_store_opens_without_a_passphrase(tmp_path: Path,
                                                           ring: PlaintextKeyring) -> None:
    data = tmp_path / "data"
    store = open_store(data, create=True, use_keyring=True)
    store.set("api", "value-in-keyring-store")
    key_hex = ring.get_password(KEYRING_SERVICE, str(store_path(data).resolve()))
    assert key_hex and len(bytes.fromhex(key_hex)) == 32
    assert key_hex not in store_path(data).read_text()
    assert open_store(data).get("api") == "value-in-keyring-store"  # no passphrase asked
    # rotate to a passphrase: the keyring is no longer needed
    kdf = Kdf.fresh_scrypt()
    open_store(data).rotate(kdf, StoreKey.from_passphrase("now a passphrase", kdf))
    assert open_store(data, passphrase=lambda: "now a passphrase").get("api") == \
        "value-in-keyring-store"


def test_no_keyring_on_this_machine_is_one_clear_error(tmp_path: Path,
                                                        ring: PlaintextKeyring) -> None:
    keyring.set_keyring(NoKeyring())
    with pytest.raises(SecretsError, match="OS keyring.*CLAUDEDEX_SECRETS_PASSPHRASE"):
        open_store(tmp_path, create=True, use_keyring=True)
