"""One writer per profile: the data-dir lock and the local control channel.

Why: two processes that sign or journal for one profile reserve the same nonce and take
each other's live orders for crashed ones. Exactly one process (the lock holder) builds the
kernel; every other process hands it commands over a Unix socket in the data dir.
"""
