"""Modal screens: override, resume confirmation, filter, help and pair detail."""
