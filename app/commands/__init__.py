"""Headless subcommands of `ponder` (chat, hardware, download, import, models)."""
