"""Device simulators: real wire protocols, a test key inside.

Why: no Ledger or Trezor is attached in CI, yet the signers must be exercised through the
exact bytes a device would see. The simulators parse those bytes as the device firmware
does and sign with a key they are given; they also back ``--signer ledger-sim`` demos.
"""
