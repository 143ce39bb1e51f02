"""Signers: keystore, Ledger, Trezor, and the guard that every signer sits behind.

Modules: ``base`` (the Signer protocol), ``txcodec`` (payloads and raw bytes), ``local``
(DevnetSigner), ``keystore`` (KeystoreSigner + files), ``ledger*`` (APDUs, transports,
LedgerSigner), ``trezor*`` (protobuf, transports, TrezorSigner), ``guard`` (GuardedSigner),
``spend_store`` (persisted daily-cap window), ``factory`` (build_signer, guard), ``sim``
(device simulators). Nothing is imported here so that importing ``base`` stays cheap.
"""
