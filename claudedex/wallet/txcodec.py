"""Transaction encoding shared by every signer: unsigned payloads and signed raw bytes.

Why our own codec: hardware wallets sign the *unsigned* serialisation (legacy EIP-155
``rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])`` or EIP-1559
``0x02 || rlp([chainId, nonce, tip, maxFee, gas, to, value, data, accessList])``) and return
only ``(v, r, s)``; we assemble the raw transaction ourselves. Tests compare every byte with
eth-account's own encoding, so a signer can never broadcast something different from what
the device (or key) actually approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from claudedex.errors import SignerRefused

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _int(tx: dict[str, Any], key: str, default: int | None = None) -> int:
    value = tx.get(key, default)
    if value is None:
        raise SignerRefused(f"transaction is missing '{key}'")
    if isinstance(value, str):
        value = int(value, 16) if value.startswith("0x") else int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SignerRefused(f"transaction field '{key}' must be a non-negative integer")
    return value


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value.startswith("0x") else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise SignerRefused("transaction data is not hex") from None
    raise SignerRefused("transaction data must be bytes or hex")


def _address(value: Any) -> bytes:
    raw = _bytes(value)
    if len(raw) not in (0, 20):
        raise SignerRefused("transaction 'to' must be a 20-byte address")
    return raw


@dataclass(frozen=True)
class UnsignedTx:
    """A normalised transaction: ints, bytes; ``type`` is 0 (legacy EIP-155) or 2."""

    type: int
    chain_id: int
    nonce: int
    gas: int
    to: bytes
    value: int
    data: bytes
    gas_price: int = 0
    max_fee_per_gas: int = 0
    max_priority_fee_per_gas: int = 0
    access_list: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()

    @property
    def to_checksum(self) -> str:
        return to_checksum_address(self.to) if self.to else ""

    def to_dict(self) -> dict[str, Any]:
        """The web3-style dict of exactly these fields (what a signer is handed)."""
        out: dict[str, Any] = {"chainId": self.chain_id, "nonce": self.nonce, "gas": self.gas,
                               "value": self.value, "data": "0x" + self.data.hex()}
        if self.to:
            out["to"] = self.to_checksum
        if self.type == 2:
            out.update(type=2, maxFeePerGas=self.max_fee_per_gas,
                       maxPriorityFeePerGas=self.max_priority_fee_per_gas)
            if self.access_list:
                out["accessList"] = [
                    {"address": "0x" + a.hex(), "storageKeys": ["0x" + k.hex() for k in keys]}
                    for a, keys in self.access_list]
        else:
            out["gasPrice"] = self.gas_price
        return out

    def payload(self) -> bytes:
        """The exact bytes a device receives and whose keccak is signed."""
        # rlp and eth-keys are imported where a transaction is encoded, decoded or
        # recovered: a replay signs nothing, so it never loads them
        import rlp

        if self.type == 2:
            return b"\x02" + bytes(rlp.encode(self._typed_fields()))
        return bytes(rlp.encode(self._legacy_fields() + [self.chain_id, 0, 0]))

    def signing_hash(self) -> bytes:
        return keccak(self.payload())

    def raw(self, y_parity: int, r: int, s: int) -> bytes:
        """The signed raw transaction, ready for ``eth_sendRawTransaction``."""
        if y_parity not in (0, 1):
            raise SignerRefused(f"signature parity must be 0 or 1, got {y_parity}")
        import rlp  # see payload

        if self.type == 2:
            return b"\x02" + bytes(rlp.encode(self._typed_fields() + [y_parity, r, s]))
        v = self.chain_id * 2 + 35 + y_parity
        return bytes(rlp.encode(self._legacy_fields() + [v, r, s]))

    def recover(self, y_parity: int, r: int, s: int) -> str:
        """The checksummed address that produced this signature over this transaction."""
        if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N) or y_parity not in (0, 1):
            raise SignerRefused("device returned an invalid signature")
        from eth_keys.datatypes import Signature  # see payload

        signature = Signature(vrs=(y_parity, r, s))
        return signature.recover_public_key_from_msg_hash(self.signing_hash()).to_checksum_address()

    def _legacy_fields(self) -> list[Any]:
        return [self.nonce, self.gas_price, self.gas, self.to, self.value, self.data]

    def _typed_fields(self) -> list[Any]:
        access = [[addr, list(slots)] for addr, slots in self.access_list]
        return [
            self.chain_id,
            self.nonce,
            self.max_priority_fee_per_gas,
            self.max_fee_per_gas,
            self.gas,
            self.to,
            self.value,
            self.data,
            access,
        ]


def normalize(tx: dict[str, Any]) -> UnsignedTx:
    """Turn a web3-style transaction dict into an :class:`UnsignedTx`, or refuse it."""
    if "chainId" not in tx:
        raise SignerRefused("transaction has no chainId (replay protection is mandatory)")
    declared = tx.get("type")
    typed = "maxFeePerGas" in tx or declared in (2, "0x2", "0x02")
    if declared not in (None, 0, 2, "0x0", "0x2", "0x02"):
        raise SignerRefused(f"unsupported transaction type {declared!r}")
    common = {
        "chain_id": _int(tx, "chainId"),
        "nonce": _int(tx, "nonce"),
        "gas": _int(tx, "gas"),
        "to": _address(tx.get("to")),
        "value": _int(tx, "value", 0),
        "data": _bytes(tx.get("data", tx.get("input"))),
    }
    if typed:
        if "gasPrice" in tx:
            raise SignerRefused("an EIP-1559 transaction cannot also set gasPrice")
        access: list[tuple[bytes, tuple[bytes, ...]]] = []
        for entry in tx.get("accessList", ()) or ():
            slots = tuple(_bytes(k).rjust(32, b"\x00") for k in entry.get("storageKeys", ()))
            access.append((_address(entry["address"]), slots))
        return UnsignedTx(
            type=2,
            max_fee_per_gas=_int(tx, "maxFeePerGas"),
            max_priority_fee_per_gas=_int(tx, "maxPriorityFeePerGas"),
            access_list=tuple(access),
            **common,  # type: ignore[arg-type]  # keys match the dataclass fields above
        )
    if tx.get("accessList"):
        raise SignerRefused("access lists need an EIP-1559 transaction")
    return UnsignedTx(type=0, gas_price=_int(tx, "gasPrice"), **common)  # type: ignore[arg-type]  # same


def decode_payload(payload: bytes) -> UnsignedTx:
    """Parse an unsigned payload back (what a device does); used by the simulators."""
    import rlp  # see UnsignedTx.payload

    if payload[:1] == b"\x02":
        f = rlp.decode(payload[1:])
        if len(f) != 9:
            raise ValueError("an EIP-1559 payload has 9 fields")
        return UnsignedTx(
            type=2,
            chain_id=_be(f[0]),
            nonce=_be(f[1]),
            max_priority_fee_per_gas=_be(f[2]),
            max_fee_per_gas=_be(f[3]),
            gas=_be(f[4]),
            to=bytes(f[5]),
            value=_be(f[6]),
            data=bytes(f[7]),
            access_list=tuple((bytes(a), tuple(bytes(k) for k in ks)) for a, ks in f[8]),
        )
    f = rlp.decode(payload)
    if len(f) != 9 or _be(f[7]) or _be(f[8]):
        raise ValueError("a legacy payload must be EIP-155: [..., chainId, 0, 0]")
    return UnsignedTx(
        type=0,
        nonce=_be(f[0]),
        gas_price=_be(f[1]),
        gas=_be(f[2]),
        to=bytes(f[3]),
        value=_be(f[4]),
        data=bytes(f[5]),
        chain_id=_be(f[6]),
    )


def _be(raw: bytes) -> int:
    return int.from_bytes(raw, "big")
