"""The Telegram adapter, terminal chat, storage and settings."""
