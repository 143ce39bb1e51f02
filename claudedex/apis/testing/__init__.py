"""Local aiohttp servers speaking the external APIs' documented JSON (tests, devnet)."""
