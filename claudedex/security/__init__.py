"""Security: secrets at rest, the hash-chained audit log, operator roles."""
