"""Observability: structured logs, metrics and alert rules."""
