"""Signers: keystore, Ledger, Trezor, and the guard that every signer sits behind."""
