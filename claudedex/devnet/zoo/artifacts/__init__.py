"""Committed solc output (ABI + creation bytecode) for the zoo contracts; see ``zoo.compile``."""
