"""The operator console: a Textual face on the engine (events in, commands out)."""
